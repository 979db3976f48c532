#!/usr/bin/env bash
#
# Member failures under load: wrk in c1 sends requests to the anycast
# address, each on a new connection, while one member fails and comes
# back; every request is logged with its time (fail_load.lua) and the
# member's state is polled in the REST API.
#
#   c1: wrk -c 4, Connection: close ── vrouter ──┬── m1  (c) agent kill -9
#                                                ├── m2  (a) nginx kill -9
#                                                └── m3  (b) eth0 down
#
# For each failure: the detection time (the failure to the first poll
# that shows the member "down"), the requests that failed in the
# detection window and after it, the time from the member's return to
# "up", and the requests once it is back.  Asserted: detection within
# the bound of its mechanism (router probes: interval_ms x fall; agent
# silence: report_ms x misses; FAIL_LOAD_SLACK_MS more for the polling
# and a loaded machine), 0 failed requests sent after the member was
# marked down, none of them answered by it, 0 failed once it is back
# and "up", and the member answering again.
#
#   (a) nginx of m2 killed with SIGKILL (master and workers): m2's agent
#       reports it unhealthy and the router's probes fail.
#   (b) eth0 of m3 set down: the probes and the reports stop.
#   (c) the agent of m1 killed with SIGKILL: nginx still serves, the
#       reports stop; the agent started again joins again.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

command -v wrk >/dev/null || fail "wrk is not installed (tests/deps.sh)"
SLACK=${FAIL_LOAD_SLACK_MS:-1500}
AFTER_MS=${FAIL_LOAD_AFTER_MS:-2000}	# load kept on after "down"
LUA=$LAB_REPO/tests/lab/fail_load.lua
REPORT=$LAB_REPO/tests/lab/fail_load_report.py

# The group's timers, as the router has them.
group_json=$(api GET "/api/v1/groups/$ANY")
probe_ms=$(jq -r '.probe.interval_ms' <<<"$group_json")
fall=$(jq -r '.probe.fall' <<<"$group_json")
report_ms=$(jq -r '.report_ms' <<<"$group_json")
misses=$(jq -r '.misses' <<<"$group_json")
[[ "$probe_ms$fall$report_ms$misses" =~ ^[0-9]+$ ]] ||
    fail "no probe or report timers in the group: $group_json"
PROBE_BOUND=$(( probe_ms * fall ))
REPORT_BOUND=$(( report_ms * misses ))
info "probes every $probe_ms ms, fall $fall: ${PROBE_BOUND} ms;" \
    "reports every $report_ms ms, misses $misses: ${REPORT_BOUND} ms"

WRK_PID=
stop_wrk() {
	# Every line of the log is flushed as written: no summary needed.
	[ -z "$WRK_PID" ] || kill -TERM "$WRK_PID" 2>/dev/null
	[ -z "$WRK_PID" ] || wait "$WRK_PID" 2>/dev/null || true
	WRK_PID=
}
at_exit stop_wrk

# start_load NAME: wrk in c1 for up to a minute, its log prefix in LOG.
start_load() {
	LOG=$TEST_TMP/$1
	FAIL_LOAD_LOG=$LOG ip netns exec c1 wrk -t 4 -c 4 -d 60s --timeout 2s \
	    -H 'Connection: close' -s "$LUA" "http://[$ANY]/name" \
	    >"$LOG.wrk" 2>&1 &
	WRK_PID=$!
	answered() { cat "$LOG".[0-9]* 2>/dev/null | grep -c ' A 200 ' |
	    awk '{ exit !($1 >= 20) }'; }
	wait_for -t 10 answered || fail "wrk gets no answers: $(cat "$LOG.wrk")"
}

# wait_state_ms HOST STATE SECONDS: poll the API; the time seen, in ms.
wait_state_ms() {
	wait_for -t "$3" member_in_state "$1" "$2" ||
	    fail "$1 is not $2 after $3 s: $(states_line)"
	now_ms
}

sleep_ms() { sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"; }

# scenario HOST WHAT BOUND_MS FAIL_CMD RESTORE_CMD
scenario() {
	local host=$1 what=$2 bound=$3 t_fail t_down t_restore t_up t_end
	local r detect recover
	info "($what) on $host"
	start_load "$host"
	sleep 1
	t_fail=$(now_ms)
	$4
	t_down=$(wait_state_ms "$host" down 20)
	detect=$(( t_down - t_fail ))
	info "  $host down ${detect} ms after the failure" \
	    "(down_reason: $(member_field "$host" down_reason)); $(states_line)"
	sleep_ms "$AFTER_MS"
	t_restore=$(now_ms)
	$5
	t_up=$(wait_state_ms "$host" up 30)
	recover=$(( t_up - t_restore ))
	sleep 1.5
	t_end=$(now_ms)
	stop_wrk
	r=$(/usr/bin/python3 "$REPORT" "$LOG" "$t_fail" "$t_down" \
	    "$t_restore" "$t_up" "$t_end" "$host" 2>"$LOG.hist")
	info "  $(cat "$LOG.hist")"
	eval "local $r"
	info "  requests before: $before ($before_failed failed);" \
	    "in the detection window: $window ($window_failed failed);" \
	    "after down: $after ($after_failed failed, $after_by_member by" \
	    "$host); back up ${recover} ms after its return: $back" \
	    "($back_failed failed, $back_by_member by $host)"
	[ "$detect" -le $(( bound + SLACK )) ] ||
	    fail "$host detected down after $detect ms (bound $bound ms" \
	    "+ $SLACK ms slack)"
	assert_gt "$after" 0 "requests sent after $host was down"
	assert_eq 0 "$after_failed" "failed requests sent after $host was down"
	assert_eq 0 "$after_by_member" "requests answered by $host while down"
	assert_eq 0 "$back_failed" "failed requests once $host was back"
	assert_gt "$back_by_member" 0 "requests answered by $host once back"
}

# (a) nginx of m2: SIGKILL to its master and its workers.
nginx_kill9() {
	local pid kids
	pid=$(nginx_pid m2)
	[[ $pid =~ ^[0-9]+$ ]] || fail "no nginx pid for m2"
	kids=$(ps -o pid= --ppid "$pid")
	# shellcheck disable=SC2086  # pids
	kill -KILL "$pid" $kids
	wait_for not_listens_80 m2 || fail "nginx of m2 still listens"
}
nginx_back() { nginx_start m2; }
scenario m2 "a: web server killed" "$PROBE_BOUND" nginx_kill9 nginx_back

# (b) m3's link.
link_down() { ip -n m3 link set eth0 down; }
link_up() {
	ip -n m3 link set eth0 up
	# Its replies need the default route, learned again from an RA.
	m3_has_default() { [ -n "$(m3 ip -6 route show default)" ]; }
	wait_for -t 15 m3_has_default || fail "m3 has no default route again"
}
scenario m3 "b: link cut" "$PROBE_BOUND" link_down link_up

# (c) m1's agent: SIGKILL, then the same command line again.
AGENT_ARGV=()
agent_kill9() {
	local pid
	pid=$(agent_pid m1)
	[[ $pid =~ ^[0-9]+$ ]] || fail "no agent pid for m1"
	mapfile -d '' AGENT_ARGV <"/proc/$pid/cmdline"
	kill -KILL "$pid"
	wait_for proc_gone "$pid" || fail "m1's agent survives SIGKILL"
}
agent_back() {
	ip netns exec m1 "${AGENT_ARGV[@]}" </dev/null \
	    >>"$LAB_STATE/hosts/m1/member.log" 2>&1 &
	echo $! >"$LAB_STATE/hosts/m1/member.pid"
}
scenario m1 "c: agent killed" "$REPORT_BOUND" agent_kill9 agent_back
