#!/usr/bin/env bash
#
# Least sessions (paper 1): long-lived connections to the anycast address
# spread evenly over the members.
#
#   c1 ── 15 x curl http://[A]/slow ──┐             ┌── m1 nginx, anycast-member
#                                     ├── vrouter ──┼── m2 nginx, anycast-member
#   c2 ── 15 x curl http://[A]/slow ──┘             └── m3 nginx, anycast-member
#                                 A = 2001:db8:ac::1
#
# 30 downloads of /slow (64 MiB at 1 MiB/s, so they outlast the test),
# started 0.1 s apart, alternating c1 and c2.  Under least-sessions each
# member ends up with 10 of them (within one): counted by the members'
# own kernels (ss, established connections to port 80), by the router
# (the member's pinned flows) and by the agents' session reports.
# ANYCAST_DOWNLOADS (default 30, a multiple of 6) changes the number.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

N=${ANYCAST_DOWNLOADS:-30}
[ $((N % 6)) -eq 0 ] || fail "ANYCAST_DOWNLOADS must be a multiple of 6"
EACH=$((N / 3))

policy=$(api GET "/api/v1/groups/$ANY" | jq -r .policy)
assert_eq least-sessions "$policy" "policy of the group"

pids=()
for _ in $(seq 1 $((N / 2))); do
	for c in c1 c2; do
		ip netns exec "$c" curl -gs -o /dev/null -m 300 \
		    "http://[$ANY]/slow" 2>>"$TEST_TMP/curl-$c.err" &
		pids+=($!)
		sleep 0.1
	done
done
stop_downloads() { kill "${pids[@]}" 2>/dev/null; }
at_exit stop_downloads

# Established connections to port 80 on the member's anycast address.
est() {
	h "$1" ss -Htn state established "( sport = :80 )" |
	    grep -cF "[$ANY]:80" || true
}
est_total() {
	local m t=0
	for m in "${MEMBERS[@]}"; do
		t=$((t + $(est "$m")))
	done
	echo "$t"
}
all_established() { [ "$(est_total)" -eq "$N" ]; }
wait_for all_established ||
    fail "$(est_total) of $N downloads established: $(cat "$TEST_TMP"/curl-*.err 2>/dev/null | sort | uniq -c)"

# The agents report what their kernels count; give them time to.
api_sum() {
	members_json | jq --arg f "$1" '[.members[][$f]] | add'
}
sessions_reported() { [ "$(api_sum sessions)" = "$N" ]; }
wait_for sessions_reported ||
    fail "the agents report $(api_sum sessions) sessions, not $N"

for p in "${pids[@]}"; do
	kill -0 "$p" 2>/dev/null || fail "a download ended early:" \
	    "$(cat "$TEST_TMP"/curl-*.err 2>/dev/null)"
done

line_ss="" line_flows="" line_sessions=""
for m in "${MEMBERS[@]}"; do
	e=$(est "$m")
	f=$(member_field "$m" flows)
	s=$(member_field "$m" sessions)
	line_ss+="$m=$e "
	line_flows+="$m=$f "
	line_sessions+="$m=$s "
done
info "$N downloads, least-sessions:"
info "  established (ss on each member): $line_ss"
info "  flows pinned by the router:      $line_flows"
info "  sessions reported by the agents: $line_sessions"

for m in "${MEMBERS[@]}"; do
	for v in "$(est "$m")" "$(member_field "$m" flows)" \
	    "$(member_field "$m" sessions)"; do
		[[ $v =~ ^[0-9]+$ ]] || fail "$m: '$v' is not a count"
		[ "$v" -ge $((EACH - 1)) ] && [ "$v" -le $((EACH + 1)) ] ||
		    fail "$m has $v of $N downloads, expected $EACH +/- 1" \
		    "(ss: $line_ss; flows: $line_flows; sessions: $line_sessions)"
	done
done
