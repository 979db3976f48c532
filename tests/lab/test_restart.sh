#!/usr/bin/env bash
#
# vrouter killed and started again: hosts keep their interfaces, members
# join again with their sessions, and traffic flows again.
#
#   c1, c2 ── vrouter (kill -9, start again) ──┬── m1
#                                              ├── m2   group A
#                                              └── m3
#
# (a) kill -9 vrouter: every host's eth0 (a persistent TAP) is still
#     there with its addresses and its default route; vrouter started
#     again re-attaches to them; c1 pings m1's unicast address and the
#     group's members are "up" again (time printed).
# (b) an idle connection from c1 to A held across a kill -9: once its
#     member is "up" again, the router counts its session (the JOIN
#     carries SESSIONS) without waiting for a REPORT.
# (c) six downloads of /slow (1 MiB/s, DL_MIB MiB each, default 8), three
#     from c1 and three from c2, spread over the members; vrouter killed
#     with -9 while they run and started again a second later: every
#     download completes, whole (HTTP 206, the right sha256), none reset.
#     The router had no flow for any of them: the members were asked
#     (FLOW_QUERY) and the one holding each connection claimed it
#     (FLOW_CLAIM).  Prints the group's recovery counters and the time
#     from the restart to the first recovered flow, whose parked packets
#     are forwarded at that moment (vrouter's log).  tcpdump on each
#     member's eth0 meanwhile: tools/wireshark/anycast-member.lua decodes
#     every FLOW_QUERY and FLOW_CLAIM, tags verifying, each FLOW one of
#     the downloads, each claim answering a query
#     (tests/lab/flow_dissect_check.py; skipped without tshark).
#
# RESTART_SHIM=1 (test_restart_shim.sh): the same in the anycast-shim
# topology, anycast-client in c1.  c1's connections are on the direct
# path to their members before the kill, so only c2's three need
# recovering; c1's complete without the router's flow state.

if [ "${RESTART_SHIM:-0}" = 1 ]; then
	# shellcheck source=tests/lab/lib_client.sh
	. "$(dirname "$0")/lib_client.sh"
	need_seg6_lwt
	RECOVER_MIN=3		# c2's downloads
else
	# shellcheck source=tests/lab/lib_anycast.sh
	. "$(dirname "$0")/lib_anycast.sh"
	RECOVER_MIN=6
fi
anycast_start

VROUTER_BIN=${VROUTER:-$LAB_REPO/build/vrouter}
HOSTS=(c1 c2 m1 m2 m3)
declare -A HOST_ADDR=([c1]=2001:db8:1::10 [c2]=2001:db8:2::10
    [m1]=2001:db8:21::10 [m2]=2001:db8:22::10 [m3]=2001:db8:23::10)

# Only the vrouter of this lab, by the pid lab.sh recorded.
vrouter_pid() { cat "$LAB_STATE/vrouter.pid"; }
vrouter_dead() { ! kill -0 "$1" 2>/dev/null; }

vrouter_kill9() {
	local pid
	pid=$(vrouter_pid)
	[[ $pid =~ ^[0-9]+$ ]] || fail "no vrouter pid in $LAB_STATE"
	kill -KILL "$pid"
	wait_for -t 5 vrouter_dead "$pid" || fail "vrouter $pid survives kill -9"
}

# vrouter started as lab.sh starts it; its pid replaces the old one.
vrouter_restart() {
	setsid "$VROUTER_BIN" -c "$LAB_STATE/router.json" </dev/null \
	    >>"$LAB_STATE/vrouter.log" 2>&1 &
	echo $! >"$LAB_STATE/vrouter.pid"
	disown $!	# killed by the next phase: no job notice
}

api_up() { [ "$(api_code GET /api/v1/status)" = 200 ]; }

# The host's eth0 is the TAP vrouter left, with its address and route.
host_kept() {
	local out
	out=$(h "$1" ip -d -o link show dev eth0 2>&1) ||
	    fail "$1: eth0 is gone: $out"
	assert_match 'tun type tap' "$out" "$1 eth0"
	assert_match "${HOST_ADDR[$1]}/64" \
	    "$(h "$1" ip -6 -o addr show dev eth0)" "$1 addresses"
	assert_match '^default ' "$(h "$1" ip -6 route show default)" \
	    "$1 default route"
}

# idle_end: c1's end of its idle connection to A, "[address]:port" (c1
# may have a SLAAC address besides its static one: ask, do not assume).
idle_end() {
	h c1 ss -Htn state established "( dst [$ANY] and dport = :80 )" |
	    awk 'NR == 1 { print $3 }'
}

# holder_of: the member whose kernel holds c1's idle connection to A.
holder_of() {
	local m end port
	end=$(idle_end)
	[ -n "$end" ] || return 1
	port=${end##*:}
	for m in "${MEMBERS[@]}"; do
		[ -z "$(h "$m" ss -Htn state established \
		    "( sport = :80 and dport = :$port and dst ${end%:*} )")" ] || {
			echo "$m"
			return 0
		}
	done
	return 1
}
has_holder() { holder_of >/dev/null; }

# ---------------------------------------------------------------------
info "(a) kill -9 vrouter, start it again"
# (b)'s connection, idle: nothing crosses the router while it is down.
h c1 bash -c "exec 3<>/dev/tcp/$ANY/80; sleep 60" &
IDLE_PID=$!
stop_idle() { kill "$IDLE_PID" 2>/dev/null || true; }
at_exit stop_idle
wait_for -t 5 has_holder || fail "c1's idle connection to A is not established"
holder=$(holder_of)
one_session() { [ "$(member_field "$holder" sessions)" = 1 ]; }
wait_for -t 5 one_session ||
    fail "$holder does not report the idle connection"
ping_ok c1 "${UNI[m1]}" 1
vrouter_kill9
sleep 0.5
for host in "${HOSTS[@]}"; do
	host_kept "$host"
done
info "  vrouter killed: every host kept eth0, its address and default route"
t0=$(now_ms)
vrouter_restart
wait_for -t 10 api_up || fail "vrouter does not answer after the restart"
grep -F "re-attached to eth0 in c1" "$LAB_STATE/vrouter.log" >/dev/null ||
    fail "vrouter did not re-attach to c1's eth0"
ping_ok c1 "${UNI[m1]}" 3
info "  c1 pings m1 again, $(( $(now_ms) - t0 )) ms after the restart"
wait_for -t 10 all_up || fail "members not up after the restart: $(states_line)"
info "  every member up $(( $(now_ms) - t0 )) ms after the restart"

info "(b) the idle connection on $holder is counted again"
wait_for -t 3 one_session ||
    fail "$holder's session not counted after the restart:" \
    "$(member_field "$holder" sessions)"
info "  $holder: 1 session in the API, $(( $(now_ms) - t0 )) ms after the restart"

# ---------------------------------------------------------------------
info "(c) six downloads, kill -9 vrouter while they run"
DL_MIB=${DL_MIB:-8}
DL_BYTES=$((DL_MIB * 1048576))
for i in 1 2 3 4 5 6; do
	c=c1
	[ "$i" -le 3 ] || c=c2
	slow_download "$c" "$i" "$DL_BYTES"
done
established() {
	local m n=0
	for m in "${MEMBERS[@]}"; do
		n=$((n + $(h "$m" ss -Htn state established '( sport = :80 )' |
		    wc -l)))
	done
	echo "$n"
}
six_up() { [ "$(established)" -ge 7 ]; }	# six, and (b)'s idle one
wait_for -t 5 six_up || fail "the downloads did not start: $(established)"
if [ "${RESTART_SHIM:-0}" = 1 ]; then
	# (b)'s idle connection and c1's three downloads, on the direct path.
	wait_for -t 5 shim_count_is 4 ||
	    fail "the shim holds $(shim_field .count) connections, not 4"
	info "  the shim put c1's 4 connections on the direct path"
fi
spread=""
for m in "${MEMBERS[@]}"; do
	spread+="$m=$(h "$m" ss -Htn state established '( sport = :80 )' |
	    wc -l) "
done
info "  connections per member (with the idle one): $spread"
ports=$(for m in "${MEMBERS[@]}"; do
	h "$m" ss -Htn state established '( sport = :80 )' |
	    awk '{ n = split($4, a, ":"); print a[n] }'
done | paste -sd, -)
CAP_PIDS=()
stop_captures() {
	kill_all ${CAP_PIDS[@]+"${CAP_PIDS[@]}"}
	CAP_PIDS=()
}
at_exit stop_captures
for m in "${MEMBERS[@]}"; do
	h "$m" tcpdump -i eth0 -U -s 0 -w "$TEST_TMP/$m.pcap" \
	    'icmp6 and ip6[40] == 200' 2>/dev/null &
	CAP_PIDS+=($!)
done
sleep 1
vrouter_kill9
sleep 1
t0=$(now_ms)
vrouter_restart
wait_for -t 10 api_up || fail "vrouter does not answer after the restart"
downloads_ok "$DL_BYTES"
info "  all 6 downloads complete, $DL_MIB MiB each with the right sha256," \
    "$(( $(now_ms) - t0 )) ms after the restart"
counters=$(api GET "/api/v1/groups/$ANY" | jq -c '.counters |
    {recoveries, flow_queries, flows_recovered, recover_timeouts,
     no_flow_maglev}')
info "  group counters: $counters"
assert_gt "$(jq .flows_recovered <<<"$counters")" $((RECOVER_MIN - 1)) \
    "flows recovered"
stop_captures
if command -v tshark >/dev/null; then
	key=$(jq -r '.groups[0].keys[0].key' "$LAB_STATE/router.json")
	/usr/bin/python3 "$LAB_REPO/tests/lab/flow_dissect_check.py" "1=$key" \
	    "$ports" "$TEST_TMP"/m?.pcap | sed "s/^/$TEST_NAME:   /" ||
	    fail "the dissector on the flow recovery messages"
else
	info "  no tshark: the captured FLOW_QUERY/FLOW_CLAIM not dissected"
fi
first=$(sed -n 's/.*first flow recovered, \([0-9]*\) ms after start.*/\1/p' \
    "$LAB_STATE/vrouter.log" | tail -1)
[ -n "$first" ] || fail "vrouter logged no recovered flow"
info "  restart -> first recovered flow forwarded: $first ms"
