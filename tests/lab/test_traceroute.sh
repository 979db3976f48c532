#!/usr/bin/env bash
#
# The router sends Time Exceeded from its address on the incoming link.
#
#   c1 2001:db8:1::10 ── 2001:db8:1::1 vrouter ── s1 2001:db8:11::10
#
# traceroute -6 (UDP probes) from c1 to s1: hop 1 is the router's
# 2001:db8:1::1 (hop limit exceeded there), hop 2 is s1 itself (port
# unreachable), and nothing further.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_start

# One probe at a time and two per hop keep both ICMPv6 rate limiters
# (the router's and s1's kernel) out of the way.
out=$(c1 traceroute -6 -n -N 1 -q 2 -w 2 -m 5 2001:db8:11::10 2>&1) ||
    fail "traceroute failed:"$'\n'"$out"
info "traceroute:"$'\n'"$out"

hop1=$(awk '$1 == 1' <<<"$out")
hop2=$(awk '$1 == 2' <<<"$out")
assert_match '^ *1 +2001:db8:1::1 ' "$hop1" "hop 1"
assert_match '^ *2 +2001:db8:11::10 ' "$hop2" "hop 2"
assert_no_match '^ *3 ' "$out" "traceroute (hop 3 should not exist)"
