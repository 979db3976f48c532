#!/usr/bin/env bash
#
# A SYN flood from spoofed sources against a small flow table: the
# established downloads keep their members and complete.
#
#   c1 (downloads, and synflood.py: SYNs from random addresses of
#   c1 2001:db8:1::/64) ──┐                    ┌── m1
#   c2 (downloads) ───────┴── vrouter ─────────┼── m2   group A
#                             flows.max 1024   └── m3
#
# The anycast topology (a probe before every new flow: in flood mode
# new flows no longer wait for one) with a flow table of FLOWS (1024)
# flows, flood mode from 90 % (flows.high_water_percent), syn_ms 3000.
# The RSS grows while floods first touch the preallocated packet
# buffers (limits.buffers, 1024 of 64 KiB), and no further.
#
# Six downloads of /slow (1 MiB/s, DL_MIB MiB each, default 20), three
# from c1 and three from c2, then FLOOD_S seconds (default 5) of SYNs at
# FLOOD_PPS (default 20000 a second) from c1 with spoofed sources:
#   - during the flood the table is in flood mode (API and /metrics),
#     never past its high-water mark, embryonic flows are evicted and no
#     established one is (flows.evicted stays);
#   - every download still running after the flood is on the same
#     member as before it (at least one must be: else the check says
#     nothing), and every download completes: curl exit 0, HTTP 206,
#     the right sha256 (a flow moved to another member would be reset);
#   - once the flood stops the embryonic flows time out and the table
#     leaves flood mode; both changes are logged.
# A second flood as long as the first, once the table has drained: every
# packet buffer is back in the pool after each flood (status
# buffers_free), and the RSS stays within the baseline plus the buffer
# pool plus 2 MiB (memory is preallocated; which buffers a flood
# touches first depends on the pool's order).  Prints the flood rate sent by synflood.py
# and received by the router (c1 rx_packets), vrouter's RSS (VmRSS)
# before and after each flood, and the flow counters.  The machine is shared: rates are only comparable within
# one run.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"

FLOWS=${FLOWS:-1024}
DL_MIB=${DL_MIB:-20}
DL_BYTES=$((DL_MIB * 1048576))
FLOOD_PPS=${FLOOD_PPS:-20000}
FLOOD_S=${FLOOD_S:-5}
BUFFERS=1024	# limits.buffers, of 64 KiB each

topo=$TEST_TMP/synflood.json
jq --argjson max "$FLOWS" --argjson bufs "$BUFFERS" '.name = "synflood"
    | .router.flows = {max: $max, high_water_percent: 90,
	low_water_percent: 80, syn_ms: 3000}
    | .router.limits.buffers = $bufs' "$ANY_TOPOLOGY" >"$topo"
lab_start "$topo"
wait_for all_up || fail "members not up: $(states_line)"

flows() { api GET /api/v1/counters | jq -c '.anycast.flows'; }
flow_field() { flows | jq -r ".$1"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$(cat "$LAB_STATE/vrouter.pid")/status"; }
c1_rx() { api GET /api/v1/counters | jq -r '.interfaces.c1.rx_packets'; }

six_up() { [ "$(held | wc -l)" -ge 6 ]; }

# ---------------------------------------------------------------------
info "six downloads of $DL_MIB MiB at 1 MiB/s"
for i in 1 2 3 4 5 6; do
	c=c1
	[ "$i" -le 3 ] || c=c2
	slow_download "$c" "$i" "$DL_BYTES"
done
wait_for -t 5 six_up || fail "the downloads did not start: $(held)"
before=$(held)
info "  port member: $(paste -sd, <<<"$before")"
assert_eq 6 "$(flow_field 'kinds.connected')" "connected flows before the flood"
evicted0=$(flow_field evicted)
rss0=$(rss_kb)
buffers_free() { api GET /api/v1/status | jq -r .buffers_free; }
bufs0=$(buffers_free)
rss_bound=$(( rss0 + BUFFERS * 64 + 2048 ))

ping_ok c1 2001:db8:1::1 1
router_mac=$(neigh_mac c1 2001:db8:1::1)
c1_mac=$(h c1 cat /sys/class/net/eth0/address)
[ -n "$router_mac" ] || fail "no MAC for the router in c1"

# ---------------------------------------------------------------------
# flood: SYNs from spoofed sources of c1's /64, in the background.
FLOOD_PID=
stop_flood() { [ -z "$FLOOD_PID" ] || kill_all "$FLOOD_PID"; }
at_exit stop_flood
flood() {
	h c1 /usr/bin/python3 "$LAB_REPO/tests/lab/synflood.py" eth0 \
	    "$c1_mac" "$router_mac" 2001:db8:1:: "$ANY" "$FLOOD_PPS" \
	    "$FLOOD_S" >"$TEST_TMP/flood.out" 2>&1 &
	FLOOD_PID=$!
}
flood_done() {
	wait "$FLOOD_PID" || fail "synflood.py: $(cat "$TEST_TMP/flood.out")"
	FLOOD_PID=
}

info "SYN flood: $FLOOD_PPS/s for $FLOOD_S s from spoofed sources in c1"
rx0=$(c1_rx)
flood
in_flood() { [ "$(flow_field flood)" = true ]; }
wait_for -t 10 in_flood || fail "no flood mode: $(flows)"
mid=$(flows)
info "  during the flood: $mid"
info "  group: $(api GET "/api/v1/groups/$ANY" | jq -c '.counters |
    {new_flows, selections, probes_sent, pending_dropped}')"
metrics=$(curl -gs "$API_URL/metrics")
assert_match '^vrouter_flows_flood 1$' "$metrics" "/metrics in flood mode"
assert_match '^vrouter_flows_by_kind\{kind="embryonic"\} [1-9]' "$metrics" \
    "/metrics embryonic flows"
flood_done
rx=$(( $(c1_rx) - rx0 ))
info "  synflood.py: $(cat "$TEST_TMP/flood.out")"
# Over the sender's own sending time (the count includes the downloads'
# ACKs from c1).
took=$(sed -n 's/.* in \([0-9.]*\) s:.*/\1/p' "$TEST_TMP/flood.out")
info "  router received on c1: $rx packets, $(jq -n "$rx / $took | floor") packets/s"
after=$(flows)
info "  after the flood: $after"
assert_eq "$evicted0" "$(jq -r .evicted <<<"$after")" \
    "established flows evicted"
assert_gt "$(jq -r .embryonic_evicted <<<"$after")" 0 "embryonic evictions"
assert_gt "$(jq -r .flood_entered <<<"$after")" 0 "flood mode entered"
high=$(( (FLOWS * 90 + 99) / 100 ))
[ "$(jq -r .active <<<"$after")" -le "$high" ] ||
    fail "the table passed its high-water mark $high: $after"
grep -q 'flood mode, new flows' "$LAB_STATE/vrouter.log" ||
    fail "no log line on entering flood mode"

still=$(held)
info "  port member: $(paste -sd, <<<"$still") ($(grep -c . <<<"$still" || true) of 6 still running)"
[ -n "$still" ] || fail "every download ended before the flood did: nothing to compare"
assert_eq "$still" "$(grep -Fxf <(echo "$before") <<<"$still" || true)" \
    "each running download's member after the flood"
rss1=$(rss_kb)
info "  vrouter RSS: ${rss0} kB before, ${rss1} kB after the flood"

# ---------------------------------------------------------------------
downloads_ok "$DL_BYTES"
info "  all 6 downloads complete, $DL_MIB MiB each with the right sha256"
out_of_flood() { [ "$(flow_field flood)" = false ]; }
wait_for -t 15 out_of_flood || fail "still in flood mode: $(flows)"
grep -q 'flood mode over' "$LAB_STATE/vrouter.log" ||
    fail "no log line on leaving flood mode"
info "  flood mode over: $(flows)"

info "a second flood, as long"
flood
flood_done
wait_for -t 15 out_of_flood || fail "still in flood mode: $(flows)"
rss2=$(rss_kb)
info "  vrouter RSS: ${rss2} kB after the second flood (bound $rss_bound kB)"
for r in "$rss1" "$rss2"; do
	[ "$r" -le "$rss_bound" ] ||
	    fail "RSS $r kB past the baseline and the buffer pool ($rss_bound kB)"
done
bufs_back() { [ "$(buffers_free)" -ge "$bufs0" ]; }
wait_for -t 5 bufs_back ||
    fail "buffers free: $(buffers_free) after the floods, $bufs0 before"
assert_eq "$evicted0" "$(flow_field evicted)" "established flows evicted"
