#!/usr/bin/env bash
#
# Address translation by source route (paper 1 §3.5, DESIGN.md §3.1,
# rh_mode "exp"): the router tells the member and the client, in a
# routing header, which member serves the connection.
#
#   c1 eth0 (tcpdump) ── SYN dst A ──────────> vrouter ── SYN dst A, RH253 [U] ──> m1 eth0 (tcpdump)
#                     <── SYN-ACK src A, RH253 [U] ──    <── SYN-ACK src A ──────
#
# A = 2001:db8:ac::1, U = 2001:db8:21::10 (m1).  A connection from c1 that
# m1 answers: on m1's eth0 its first SYN has destination A and a routing
# header of type 253, Segments Left 0, holding U; on c1's eth0 the SYN-ACK
# has source A and the same routing header holding U.  Both kernels
# ignore the header (Segments Left 0) and TCP completes as usual.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

rh_mode=$(api GET "/api/v1/groups/$ANY" | jq -r .rh_mode)
assert_eq exp "$rh_mode" "rh_mode of the group"

# A non-TCP filter: "tcp" would miss packets with a routing header.
tcpdumps=()
capture() {
	ip netns exec "$1" tcpdump --immediate-mode -Z root -i eth0 -n -U \
	    -w "$TEST_TMP/$1.pcap" ip6 </dev/null >/dev/null \
	    2>"$TEST_TMP/$1.tcpdump" &
	tcpdumps+=($!)
}
stop_tcpdumps() { kill -INT "${tcpdumps[@]}" 2>/dev/null; }
at_exit stop_tcpdumps
capture m1
capture c1
listening() { grep -q 'listening on' "$TEST_TMP/$1.tcpdump"; }
for h in m1 c1; do
	wait_for listening "$h" ||
	    fail "tcpdump does not start in $h: $(cat "$TEST_TMP/$h.tcpdump")"
done

# New connections until m1 answers one (least-sessions spreads them).
port=""
for _ in $(seq 1 9); do
	out=$(c1 curl -gsS -m 5 -w ' %{local_port}' "http://[$ANY]/name") ||
	    fail "curl to $ANY failed: $out"
	if [ "${out%%$'\n'*}" = m1 ]; then
		port=${out##* }
		break
	fi
done
[[ $port =~ ^[0-9]+$ ]] || fail "m1 answered none of 9 connections"
info "connection from c1 port $port answered by m1"

# Wait for both ends' packets to be written, then stop the captures.
seen() {
	[ "$(tshark -r "$TEST_TMP/$1.pcap" -Y "tcp.port == $port && $2" \
	    2>/dev/null | wc -l)" -ge 1 ]
}
for h in m1 c1; do
	wait_for seen "$h" 'tcp.flags.fin == 1' ||
	    fail "the end of the connection is not in $h's capture"
done
stop_tcpdumps
for p in "${tcpdumps[@]}"; do
	wait "$p" 2>/dev/null || true
done

/usr/bin/python3 - "$TEST_TMP/m1.pcap" "$TEST_TMP/c1.pcap" "$port" \
    "$ANY" "${UNI[m1]}" >"$TEST_TMP/rh.out" 2>&1 <<'EOF' ||
import sys
from ipaddress import IPv6Address
from scapy.all import rdpcap, IPv6, TCP, IPv6ExtHdrRouting

m1_pcap, c1_pcap, port, group, member = sys.argv[1:]
port = int(port)
group, member = IPv6Address(group), IPv6Address(member)
bad = False

def conn(path):
    """The packets of the connection, in order."""
    return [p for p in rdpcap(path) if IPv6 in p and TCP in p and
            port in (p[TCP].sport, p[TCP].dport)]

def rh(p):
    return p[IPv6ExtHdrRouting] if IPv6ExtHdrRouting in p else None

def show(p):
    h = rh(p)
    rhs = ("RH type %d, segments left %d, [%s]" % (h.type, h.segleft,
           ", ".join(h.addresses)) if h is not None else "no RH")
    return "%s -> %s %s: %s" % (p[IPv6].src, p[IPv6].dst,
                                p[TCP].sprintf("%flags%"), rhs)

def check(where, p, what, want_src, want_dst):
    global bad
    if p is None:
        print("%s: no %s of the connection" % (where, what))
        bad = True
        return
    print("%s, %s: %s" % (where, what, show(p)))
    h = rh(p)
    ok = (IPv6Address(p[IPv6].src) == want_src if want_src else True) and \
         (IPv6Address(p[IPv6].dst) == want_dst if want_dst else True) and \
         h is not None and h.type == 253 and h.segleft == 0 and \
         [IPv6Address(a) for a in h.addresses] == [member]
    if not ok:
        want = (["src %s" % want_src] if want_src else []) + \
               (["dst %s" % want_dst] if want_dst else []) + \
               ["RH type 253, segments left 0, [%s]" % member]
        print("  expected: " + ", ".join(want))
        bad = True

def first(pkts, flags):
    for p in pkts:
        if p[TCP].flags == flags:
            return p
    return None

m1 = conn(m1_pcap)
c1 = conn(c1_pcap)
check("on m1's eth0", first([p for p in m1 if p[TCP].dport == 80], "S"),
      "first SYN", None, group)
check("on c1's eth0", first([p for p in c1 if p[TCP].sport == 80], "SA"),
      "SYN-ACK", group, None)
for where, pkts in (("m1", m1), ("c1", c1)):
    print("on %s's eth0: %d packets of the connection, %d with a routing "
          "header" % (where, len(pkts), sum(rh(p) is not None for p in pkts)))
sys.exit(1 if bad else 0)
EOF
    fail "routing headers not as expected:"$'\n'"$(cat "$TEST_TMP/rh.out")"
while IFS= read -r line; do
	info "$line"
done <"$TEST_TMP/rh.out"
