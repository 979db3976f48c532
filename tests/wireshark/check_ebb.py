#!/usr/bin/python3
"""
tests/wireshark/check_ebb.py EBB_PCAP: the E-BB Wireshark dissector
(tools/wireshark/ebb.lua) against messages the codec encoded.

EBB_PCAP (built from tests/wireshark/ebb_pcap.c) writes a pcap of E-BB
messages from common/ebb_proto.c, one of each type and a set of
malformed ones, and prints what each frame holds.  tshark with the Lua
dissector reads the pcap; every field it shows must be what was
encoded, at the offset docs/ebb.md gives, with the tag the HMAC of the
source address and the bytes before it (computed here with Python's
hmac) and found valid by the dissector given the key, but for one frame
whose tag was spoilt, which must be marked "Tag does not verify"; every
malformed frame must carry its "Malformed message" expert
item, and no well-formed frame any.  Prints a summary line; on a
failure "FAIL: " and what was wrong, exit status 1.  Needs no root.
"""

import hashlib
import hmac
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LUA = os.path.join(REPO, "tools", "wireshark", "ebb.lua")
sys.path.insert(0, os.path.join(REPO, "tests", "fixtures"))
from lib import CaseFailure, check, check_eq as eq  # noqa: E402
from mp_dissect import Packet  # noqa: E402

PAYLOAD = 14 + 40 + 8       # Ethernet, IPv6, UDP before the message
HDR = 72
TAG = 32
TYPE_LEN = {"discover": 0, "answer": 20, "reserve": 8, "reserve_ack": 8,
    "reserve_nak": 8, "release": 8}

# Field -> (offset in the message, size, JSON key)
HEADER = [("ebb.version", 0, 1, None), ("ebb.type", 1, 1, None),
    ("ebb.key_id", 2, 2, "key_id"), ("ebb.flags", 4, 2, None),
    ("ebb.npath", 6, 1, "npath"), ("ebb.hops", 7, 1, "hops"),
    ("ebb.seq", 8, 8, "seq"), ("ebb.sender", 16, 16, "sender"),
    ("ebb.req_id", 32, 4, "req_id"), ("ebb.bw_mbit", 36, 4, "bw_mbit"),
    ("ebb.origin", 40, 16, "origin"), ("ebb.group", 56, 16, "group")]
ANSWER = [("ebb.server", 72, 16, "server"), ("ebb.load", 88, 1, "load"),
    ("ebb.pad", 89, 3, None)]
RESV = [("ebb.kbit", 72, 4, "kbit"), ("ebb.lifetime_ms", 76, 4,
    "lifetime_ms")]


def value(fld):
    """A field's value as the JSON has it."""
    if fld.name in ("ebb.sender", "ebb.origin", "ebb.group", "ebb.server",
            "ebb.path.router"):
        return str(ipaddress.IPv6Address(fld.show))
    return int(fld.show, 0)


def ebb_fields(p):
    """The protocol's fields, not its expert items."""
    return [f for f in p.everything if f.name.startswith("ebb.") and
        f.name not in ("ebb.malformed", "ebb.bad_tag")]


def malformed(p):
    return [m for s, m, a in p.experts() if a == "ebb.malformed" and
        s == "Error"]


def check_good(p, exp, key, raw):
    what = "frame %d (%s)" % (p.num, exp["type"])
    check(p.protos.get("ebb") is not None, what + ": not decoded")
    eq(p.errors(), [], what + ": errors")
    eq(malformed(p), [], what + ": malformed")
    t = p.first("ebb.type")
    eq(t.showname, "Message type: %s (%d)" % (exp["type"].upper(),
        list(TYPE_LEN).index(exp["type"]) + 1), what + ": type shown")
    eq(p.first("ebb.version").show, "1", what + ": version")
    eq(int(p.first("ebb.flags").show, 0), 0, what + ": flags")
    fields = list(HEADER)
    if exp["type"] == "answer":
        fields += ANSWER
    elif TYPE_LEN[exp["type"]]:
        fields += RESV
    for name, off, size, k in fields:
        fl = p.first(name)
        check(fl is not None, "%s: no %s" % (what, name))
        eq((fl.pos - PAYLOAD, fl.size), (off, size), "%s: %s at" %
            (what, name))
        if k is not None:
            eq(value(fl), exp[k], "%s: %s" % (what, name))
    shown = {f.name for f in ebb_fields(p)}
    want = {n for n, _, _, _ in fields} | {"ebb.tag", "ebb.tag_ok"} | (
        {"ebb.path", "ebb.path.router"} if exp["npath"] else {"ebb.path"})
    eq(shown, want, what + ": fields shown")
    routers = [f for f in p.everything if f.name == "ebb.path.router"]
    eq([value(r) for r in routers], exp["path"], what + ": path")
    off = HDR + TYPE_LEN[exp["type"]]
    eq([r.pos - PAYLOAD for r in routers],
        [off + 16 * i for i in range(exp["npath"])], what + ": path at")
    tag = p.first("ebb.tag")
    eq((tag.pos - PAYLOAD, tag.size), (exp["len"] - TAG, TAG),
        what + ": tag at")
    msg = raw[PAYLOAD:PAYLOAD + exp["len"]]
    eq(len(msg), exp["len"], what + ": message length")
    src = ipaddress.IPv6Address(p.src).packed
    mac = hmac.new(key, src + msg[:-TAG], hashlib.sha256).hexdigest()
    eq(bytes.fromhex(tag.value), msg[-TAG:], what + ": tag bytes")
    warnings = [m for s, m, a in p.experts() if a == "ebb.bad_tag"]
    if exp.get("bad_tag"):
        check(tag.value != mac, what + ": the tag was to be wrong")
        eq((p.first("ebb.tag_ok").show, warnings), ("0",
            ["Tag does not verify"]), what + ": tag_ok, warning")
    else:
        eq(tag.value, mac, what + ": tag is HMAC-SHA256(key, source || "
            "message before the tag)")
        eq((p.first("ebb.tag_ok").show, warnings), ("1", []),
            what + ": tag_ok, warning")


def check_bad(p, exp):
    what = "frame %d (%s)" % (p.num, exp["malformed"])
    check(p.protos.get("ebb") is not None, what + ": not decoded")
    eq([e for e in p.errors() if not e.startswith("ebb.malformed")], [],
        what + ": other errors")
    eq(malformed(p), [exp["malformed"]], what + ": malformed")


def frames(pcap):
    """Raw bytes of each frame of a little-endian pcap file."""
    with open(pcap, "rb") as f:
        data = f.read()
    raw, off = [], 24
    while off + 16 <= len(data):
        incl = int.from_bytes(data[off + 8:off + 12], "little")
        raw.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return raw


def tshark(pcap, *args):
    """tshark with the dissector: (exit status, stdout, stderr lines
    but for its warning about running as root)."""
    proc = subprocess.run(["tshark", "-n", "-X", "lua_script:" + LUA,
        "-r", pcap] + list(args), capture_output=True, timeout=120)
    err = [l for l in proc.stderr.decode(errors="replace").splitlines()
        if l.strip() and "Running as user" not in l and
        "could be dangerous" not in l]
    return proc.returncode, proc.stdout, err


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().split("\n")[0], file=sys.stderr)
        return 2
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "ebb.pcap")
        exp = json.loads(subprocess.run([argv[1], pcap],
            capture_output=True, text=True, check=True).stdout)
        keys = "ebb.keys:%d=%s" % (exp["frames"][0]["key_id"], exp["key"])
        rc, pdml, err = tshark(pcap, "-o", keys, "-T", "pdml")
        rc2, info, err2 = tshark(pcap, "-T", "fields", "-e", "_ws.col.Info")
        packets = [Packet(el) for el in
            ET.fromstring(pdml).findall("packet")]
        raw = frames(pcap)
    info = info.decode().splitlines()
    key = bytes.fromhex(exp["key"])
    try:
        eq((rc, rc2), (0, 0), "tshark's exit status")
        eq(err + err2, [], "tshark's stderr")
        eq(len(info), len(exp["frames"]), "Info lines")
        eq(len(packets), len(exp["frames"]), "frames decoded")
        good = bad = 0
        for p, e in zip(packets, exp["frames"]):
            shown = info[p.num - 1]
            check(shown.endswith("[Malformed]") == ("malformed" in e),
                "frame %d: Info %r" % (p.num, shown))
            if "malformed" in e:
                check_bad(p, e)
                bad += 1
            else:
                check(shown.startswith(e["type"].upper() + " req "),
                    "frame %d: Info %r" % (p.num, shown))
                check_good(p, e, key, raw[p.num - 1])
                good += 1
    except CaseFailure as e:
        print("FAIL: %s" % e)
        return 1
    print("E-BB dissector: %d messages decoded field by field, their tags "
        "checked (one wrong), %d malformed ones flagged" % (good, bad))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
