#!/usr/bin/env bash
#
# Malformed frames are dropped and counted by reason; the router lives on.
#
#   c1 eth0 ── scapy sendp() ──> vrouter (c1) ──> s1
#
# From c1, frames addressed to the router's MAC:
#
#   truncated_ipv6        Ethernet + the first 20 bytes of an IPv6 header
#   bad_payload_length    payload length 1000, 40 bytes of payload present
#   too_many_ext_headers  20 Destination Options headers before ICMPv6
#   ndp_bad_hop_limit     Neighbour Solicitation for the router, hop limit 64
#   bad_ip_version        ethertype 0x86dd carrying a 92-byte IPv4 packet
#
# Each must raise the drop counter of that name in /api/v1/counters, and
# c1 must still reach s1 afterwards.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_start

PY=/usr/bin/python3
"$PY" -c 'import scapy.all' 2>/dev/null ||
    fail "$PY cannot import scapy (sudo make deps)"

ping_ok c1 2001:db8:1::1 1
rmac=$(neigh_mac c1 2001:db8:1::1)
[ -n "$rmac" ] || fail "c1 has no neighbour entry for the router"

cat >"$TEST_TMP/frame.py" <<'EOF'
import sys
from scapy.all import (Ether, IP, ICMP, IPv6, IPv6ExtHdrDestOpt,
    ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, Raw,
    get_if_hwaddr, sendp)

kind, rmac, raddr, src, dst = sys.argv[1:6]
me = get_if_hwaddr("eth0")
eth = Ether(src=me, dst=rmac, type=0x86dd)
echo = ICMPv6EchoRequest(id=0x4242, data=b"malformed" * 4)

if kind == "truncated_ipv6":
    frame = eth / Raw(bytes(IPv6(src=src, dst=dst) / echo)[:20])
elif kind == "bad_payload_length":
    frame = eth / Raw(bytes(IPv6(src=src, dst=dst, plen=1000) / echo))
elif kind == "too_many_ext_headers":
    pkt = IPv6(src=src, dst=dst)
    for _ in range(20):
        pkt = pkt / IPv6ExtHdrDestOpt()
    frame = eth / (pkt / echo)
elif kind == "ndp_bad_hop_limit":
    frame = eth / IPv6(src=src, dst=raddr, hlim=64) / \
        ICMPv6ND_NS(tgt=raddr) / ICMPv6NDOptSrcLLAddr(lladdr=me)
elif kind == "bad_ip_version":
    # Longer than an IPv6 header, whatever the parser checks first; the
    # IPv4 identification (0) reads as a payload length of 0.
    frame = eth / Raw(bytes(IP(src="192.0.2.10", dst="192.0.2.1", id=0) /
                            ICMP() / Raw(b"v4" * 32)))
else:
    sys.exit("unknown frame kind " + kind)
sendp(frame, iface="eth0", verbose=False)
EOF

# drop_count REASON: the router-wide drop counter of that name in
# /api/v1/counters ({"router": {"drops": {REASON: N}}, "interfaces": ...});
# failing that, the sum of every counter of that name in the document,
# which grows when the counter does.
drop_count() {
	api GET /api/v1/counters | jq --arg r "$1" '
	    if (.router.drops[$r]? | type) == "number" then .router.drops[$r]
	    else
	      [.. | objects
	       | (.[$r]? | numbers),
		 (select((.reason // .name // "") == $r)
		  | (.count // .packets // .value // empty) | numbers)]
	      | add // 0
	    end'
}

for reason in truncated_ipv6 bad_payload_length too_many_ext_headers \
    ndp_bad_hop_limit bad_ip_version; do
	before=$(drop_count "$reason")
	c1 "$PY" "$TEST_TMP/frame.py" "$reason" "$rmac" 2001:db8:1::1 \
	    2001:db8:1::10 2001:db8:11::10 ||
	    fail "cannot send the $reason frame"
	grew() { [ "$(drop_count "$reason")" -gt "$before" ]; }
	wait_for grew || fail "drop counter $reason stays at $before:"$'\n'"$(
	    api GET /api/v1/counters | head -c 2000)"
	info "$reason: $before -> $(drop_count "$reason")"
done

ping_ok c1 2001:db8:11::10
info "c1 still reaches s1"
