#!/usr/bin/python3
"""
tests/lab/dissector_check.py PCAP EXPECT.json: what the Lua dissector
(tools/wireshark/anycast-member.lua) decodes from a capture of the
membership traffic on one member link, against what the agents were
told and what the router's API showed.  Used by test_dissector.sh,
which writes EXPECT.json:

  group, key_id, key        the group and its key
  member, bad_member        agent D's address; the wrong-key agent's
  capacity, weight, bandwidth, interval    D's options
  report_ms, misses         the group's, from the API
  api                       D's entries in the API, taken while it ran

Prints one line per kind of message checked; on the first failure,
"FAIL: " and what was wrong, exit status 1.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
    "..", "fixtures"))
import mp_dissect as mp  # noqa: E402

# TLVs the codec writes for each type, in ascending order (section 3).
ALLOWED = {"FLOW_QUERY": [11], "FLOW_CLAIM": [11],
    "JOIN": [3, 5, 7, 8, 9, 10], "ACCEPT": [8, 10], "REJECT": [1],
    "LEAVE": [], "LEAVE_ACK": [], "ANNOUNCE": [], "SESSION": [2, 3],
    "REPORT": [3, 4, 5, 6, 7, 9]}
SEQ_SLACK = 5.0     # seconds between a sequence number and the capture


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def eq(got, want, what):
    check(got == want, "%s: expected %r, got %r" % (what, want, got))


def tlv_values(p):
    """[(type, value as int)] of a message's TLVs."""
    out = []
    for t, _, v, _ in p.tlvs():
        out.append((t, int(v.show) if v is not None and
            v.name != "anycast_member.tlv.value" else None))
    return out


def check_every(p, exp):
    """What holds for every message on the link."""
    what = p.describe()
    check(p.mp is not None, "frame %d (ICMPv6 type %s) not decoded" %
        (p.num, p.icmp_type))
    eq(p.errors(), [], what + ": errors")
    t = p.type_name()
    check(t in ALLOWED, "%s: type %r" % (what, t))
    eq(p.get("anycast_member.version"), "1", what + ": version")
    eq(p.get("anycast_member.key_id"), str(exp["key_id"]), what + ": key id")
    eq(p.get("anycast_member.group"), exp["group"], what + ": group")
    eq(p.first("ipv6.hlim").show, "255", what + ": hop limit")
    types = [ty for ty, _, _, _ in p.tlvs()]
    eq(types, sorted(types), what + ": TLVs in ascending order")
    check(set(types) <= set(ALLOWED[t]), "%s: TLVs %s not all defined "
        "for %s" % (what, types, t))
    for ty, ln, v, skipped in p.tlvs():
        name = mp.TLV_NAMES[ty]
        field = mp.TLVS[name][2]
        check(not skipped and v is not None and v.name == field,
            "%s: TLV %s (%d) not decoded into %s: %s" % (what, name, ty,
            field, "shown as skipped" if skipped else v))
        eq(ln, mp.TLVS[name][1], "%s: length of %s" % (what, name))
    tlv_len = int(p.get("anycast_member.tlv_len"))
    eq(tlv_len, sum(2 + ln for _, ln, _, _ in p.tlvs()),
        what + ": TLV length against the TLVs")
    tag = p.field("anycast_member.tag")
    check(tag is not None, what + ": no tag")
    eq(tag.size, mp.TAG_LEN, what + ": tag length")
    frame_len = int(p.first("frame.len").show)
    eq(tag.pos + tag.size, frame_len, what + ": tag ends the frame")
    eq(int(p.first("ipv6.plen").show), 4 + mp.HDR_LEN + tlv_len +
        mp.TAG_LEN, what + ": IPv6 payload length")
    seq = int(p.get("anycast_member.seq"))
    check(abs(seq / 1e9 - p.time) < SEQ_SLACK, "%s: sequence number %d "
        "is not the sender's clock at %.3f" % (what, seq, p.time))
    if t == "ANNOUNCE":
        eq(p.dst, "ff02::1", what + ": destination")
    else:
        check(not p.dst.startswith("ff"), what + ": multicast destination")


def check_sequences(msgs):
    """Strictly increasing per sender: per source and member for the
    agents, per source and destination for the router (what each of its
    receivers sees)."""
    last = {}
    for p in msgs:
        t = p.type_name()
        router = t in ("ACCEPT", "REJECT", "LEAVE_ACK")
        key = (p.src, p.dst if router else p.get("anycast_member.member"))
        seq = int(p.get("anycast_member.seq"))
        if key in last:
            check(seq > last[key][0], "sequence numbers from %s (%s) do "
                "not increase: %d in frame %d, then %d in frame %d" % (
                p.src, key[1], last[key][0], last[key][1], seq, p.num))
        last[key] = (seq, p.num)
    return len(last)


def check_agent(msgs, exp):
    """Agent D from JOIN to the withdrawing ANNOUNCE."""
    u = exp["member"]
    mine = [p for p in msgs if p.get("anycast_member.member") == u]
    names = [p.type_name() for p in mine]
    check(names, "no message about %s in the capture" % u)
    for p in mine:
        t = p.type_name()
        what = p.describe()
        if t in ("ACCEPT", "REJECT", "LEAVE_ACK"):
            check(p.dst == u, "%s: a %s goes from the router to %s" %
                (what, t, u))
        else:
            check(p.src == u, "%s: a %s comes from %s" % (what, t, u))
        eq(p.get("anycast_member.tag_ok"), "1", what + ": tag verifies")
    eq(set(names), {"JOIN", "ACCEPT", "ANNOUNCE", "REPORT", "SESSION",
        "LEAVE", "LEAVE_ACK"}, "message types about %s" % u)
    check(names.count("REJECT") == 0, "%s was refused" % u)

    def first(name, after=-1):
        for i, p in enumerate(mine):
            if i > after and p.type_name() == name:
                return i
        raise Failure("%s: no %s after %s" % (u, name,
            mine[after].describe() if after >= 0 else "the start"))

    i_join = first("JOIN")
    eq(i_join, 0, "%s's first message is a JOIN (%s)" % (u, names[:3]))
    i_acc = first("ACCEPT", i_join)
    i_ann = first("ANNOUNCE", i_acc)
    i_leave = first("LEAVE", i_ann)
    i_ack = first("LEAVE_ACK", i_leave)
    i_wd = first("ANNOUNCE", i_ack)
    eq(i_wd, len(mine) - 1, "the withdrawing ANNOUNCE is %s's last "
        "message" % u)

    hold_ask = max(5, (3 * exp["interval"] + 999) // 1000)
    # SESSIONS (0: D holds no connection yet) once D has counted them.
    join_tlvs = [t for t in tlv_values(mine[i_join]) if t != (3, 0)]
    eq(join_tlvs, [(5, exp["capacity"]), (7, exp["weight"]),
        (8, hold_ask), (9, exp["bandwidth"]), (10, exp["interval"])],
        "JOIN TLVs ([SESSIONS 0,] CAPACITY, WEIGHT, HOLD_TIME, BANDWIDTH, "
        "INTERVAL)")
    hold = (exp["misses"] * exp["report_ms"] + 999) // 1000
    eq(tlv_values(mine[i_acc]), [(8, hold), (10, exp["report_ms"])],
        "ACCEPT TLVs (HOLD_TIME granted, INTERVAL granted)")
    for i, flags, wd in ((i_ann, "0x0000", "0"), (i_wd, "0x0001", "1")):
        what = mine[i].describe()
        eq((mine[i].get("anycast_member.flags"),
            mine[i].get("anycast_member.flags.withdraw")), (flags, wd),
            what + ": flags, withdraw")
        eq(mine[i].tlvs(), [], what + ": TLVs")
    for i in (i_leave, i_ack):
        eq(mine[i].tlvs(), [], mine[i].describe() + ": TLVs")

    reports = []
    for p in mine:
        if p.type_name() != "REPORT":
            continue
        v = dict(tlv_values(p))
        what = p.describe()
        eq((v.get(5), v.get(7), v.get(9)), (exp["capacity"], exp["weight"],
            exp["bandwidth"]), what + ": CAPACITY, WEIGHT, BANDWIDTH")
        check(4 in v, what + ": no LOAD")
        if 3 in v:
            eq(v[4], min(100, v[3] * 100 // exp["capacity"]),
                what + ": LOAD is SESSIONS x 100 / CAPACITY")
        if 6 in v:
            check(v[6] in (0, 1), what + ": HEALTH")
        reports.append(v)
    check(any(len(v) == 6 for v in reports), "no REPORT carries all six "
        "TLVs (SESSIONS, LOAD, CAPACITY, HEALTH, WEIGHT, BANDWIDTH)")
    seen = {(v.get(3), v.get(4), v.get(6)) for v in reports}
    for snap in exp["api"]:
        eq((snap["capacity"], snap["weight"], snap["bandwidth_mbps"]),
            (exp["capacity"], exp["weight"], exp["bandwidth"]),
            "the API's capacity, weight, bandwidth (%s)" % snap["when"])
        key = (snap["sessions"], snap["load_pct"], int(snap["health"]))
        check(key in seen, "the API showed sessions %d, load %d %%, health "
            "%d (%s), but no decoded REPORT says so; REPORTs: %s" % (
            key + (snap["when"], sorted(seen, key=str))))

    sessions = [dict(tlv_values(p)) for p in mine
        if p.type_name() == "SESSION"]
    ops = [(v.get(2), v.get(3)) for v in sessions]
    check((1, 1) in ops, "no SESSION start with SESSIONS 1: %s" % ops)
    check((2, 0) in ops[ops.index((1, 1)):], "no SESSION end with "
        "SESSIONS 0 after the start: %s" % ops)
    return names, ops, sorted(seen, key=str)


def check_rejected(msgs, exp):
    """The agent with a wrong key: its JOINs (and the LEAVE it sends on
    SIGTERM) fail the tag check, the router's REJECTs say bad tag under
    the all-zero key."""
    bad = exp["bad_member"]
    mine = [p for p in msgs if p.get("anycast_member.member") == bad]
    asked = [p for p in mine if p.type_name() != "REJECT"]
    rejects = [p for p in mine if p.type_name() == "REJECT"]
    names = [p.type_name() for p in mine]
    check("JOIN" in names and rejects, "no JOIN and REJECT about %s: %s" %
        (bad, names))
    check(set(names) <= {"JOIN", "LEAVE", "REJECT"},
        "message types about %s: %s" % (bad, names))
    for p in asked:
        eq((p.src, p.get("anycast_member.tag_ok")), (bad, "0"),
            p.describe() + ": source, tag verifies")
    for p in rejects:
        what = p.describe()
        eq(p.dst, bad, what + ": destination")
        eq(tlv_values(p), [(1, 1)], what + ": TLVs (REASON 1)")
        eq(p.field("anycast_member.reason").showname, "Reason: bad tag (1)",
            what + ": reason as shown")
        eq((p.get("anycast_member.tag_ok"),
            p.get("anycast_member.tag_zero_key")), ("0", "1"),
            what + ": tag_ok, tag_zero_key")
    return " ".join(names)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().split("\n")[0], file=sys.stderr)
        return 2
    with open(argv[2]) as f:
        exp = json.load(f)
    packets, err = mp.dissect(argv[1], keys="%d=%s" % (exp["key_id"],
        exp["key"]))
    try:
        eq(err, "", "tshark's stderr")
        check(packets, "the capture is empty")
        for p in packets:
            check_every(p, exp)
        senders = check_sequences(packets)
        names, ops, reports = check_agent(packets, exp)
        refused = check_rejected(packets, exp)
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    count = {}
    for p in packets:
        count[p.type_name()] = count.get(p.type_name(), 0) + 1
    print("%d messages decoded, none malformed: %s" % (len(packets),
        ", ".join("%s %d" % kv for kv in sorted(count.items()))))
    print("sequence numbers increase for each of %d senders" % senders)
    print("%s: %s" % (exp["member"], " ".join(
        n for i, n in enumerate(names) if i == 0 or names[i - 1] != n)))
    print("%s: SESSION (op, sessions) %s; REPORT (sessions, load, health) "
        "%s" % (exp["member"], ops, reports))
    print("%s (wrong key): %s; bad tags, REJECT bad tag under the all-zero "
        "key" % (exp["bad_member"], refused))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
