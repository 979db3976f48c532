#!/usr/bin/python3
"""
tests/lab/flow_dissect_check.py KEYHEX CLIENT_PORTS PCAP...: the flow
recovery messages captured on members' links during test_restart, as
tools/wireshark/anycast-member.lua decodes them.

Every membership message in the captures must decode without a
malformed mark, expert error or Lua error, with a tag that verifies
under the key.  Among them there must be FLOW_QUERYs from the router
and FLOW_CLAIMs from members; each FLOW decodes to a TCP connection to
port 80 from one of CLIENT_PORTS (comma-separated), and each claim
answers a query about the same connection.  Prints one line per pcap
and exits 1 with the reason on the first failure.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
    "..", "fixtures"))
import mp_dissect as mp  # noqa: E402


def fail(msg):
    print("flow_dissect_check: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def flow_of(p):
    get = lambda n: p.get("anycast_member.flow." + n)
    return (get("client"), int(get("cport")), int(get("gport")),
        int(get("proto")))


def main(argv):
    if len(argv) < 4:
        fail("usage: flow_dissect_check.py KEYHEX PORTS PCAP...")
    key, ports = argv[1], {int(x) for x in argv[2].split(",") if x}
    queries, claims = set(), []
    for path in argv[3:]:
        pk, err = mp.dissect(path, keys=key)
        if err:
            fail("%s: tshark: %s" % (path, err))
        n = {"FLOW_QUERY": 0, "FLOW_CLAIM": 0}
        for p in pk:
            if p.icmp_type != mp.ICMP6_TYPE:
                continue
            if p.errors():
                fail("%s: %s: %s" % (path, p.describe(), p.errors()))
            if p.get("anycast_member.tag_ok") != "1":
                fail("%s: %s: tag does not verify" % (path, p.describe()))
            name = p.type_name()
            if name not in n:
                continue
            n[name] += 1
            fl = flow_of(p)
            if fl[1] not in ports or fl[2:] != (80, 6):
                fail("%s: %s: FLOW %s is none of the downloads" %
                    (path, p.describe(), fl))
            if name == "FLOW_QUERY":
                queries.add(fl)
            else:
                claims.append(fl)
        print("%s: %d FLOW_QUERY, %d FLOW_CLAIM" % (os.path.basename(path),
            n["FLOW_QUERY"], n["FLOW_CLAIM"]))
    if not queries or not claims:
        fail("queries %d, claims %d: expected some of each" %
            (len(queries), len(claims)))
    for fl in claims:
        if fl not in queries:
            fail("a claim about %s, which no query asked about" % (fl,))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
