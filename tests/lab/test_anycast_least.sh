#!/usr/bin/env bash
#
# Least sessions (paper 1): a new connection goes to the member with the
# fewest sessions, and a connection that has closed is no longer one
# ("service end"), even while the router keeps its flow for stragglers.
#
#   c1 ── 2 x curl http://[A]/slow ──┐             ┌── m1 nginx: one download
#         (long, kept open)          ├── vrouter ──┼── m2 nginx: one download
#   c2 ── 9 x curl http://[A]/name ──┘             └── m3 nginx: idle
#         (short, one after another)
#                                 A = 2001:db8:ac::1
#
# m3 is drained through the API while two downloads of /slow (64 MiB at
# 1 MiB/s, so they outlast the test) start from c1: one lands on m1 and
# one on m2, as the members' kernels (ss), the router's open flows and
# the agents' session reports all say.  m3 is undrained; then c2 makes
# nine short requests, each on a connection of its own, each once the
# one before has closed in the router's flow table (state "closed") and
# the agents report their sessions back at 1/1/0.  Each answer names
# the member that served it: all nine must come from m3, the only
# member without a session.  Under round robin they split 3/3/3, and
# so they do when a closed connection keeps counting until its flow
# entry expires (closed_ms, 2 s).
#
# ANYCAST_POLICY (default least-sessions) sets another policy through
# the API first: with round-robin this test must fail.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

POLICY=${ANYCAST_POLICY:-least-sessions}
SHORT=9

[ "$POLICY" = least-sessions ] ||
    api PATCH "/api/v1/groups/$ANY" "{\"policy\": \"$POLICY\"}" >/dev/null
policy=$(api GET "/api/v1/groups/$ANY" | jq -r .policy)
assert_eq "$POLICY" "$policy" "policy of the group"

member_path() { echo "/api/v1/groups/$ANY/members/${UNI[$1]}"; }

# Established connections to [A]:80 in a member's kernel, but for the
# agent's health checks (from A itself or ::1).
est() {
	h "$1" ss -Htn state established "( sport = :80 )" |
	    awk -v l="[$ANY]:80" -v a="[$ANY]:" '$3 == l &&
		index($4, a) != 1 && index($4, "[::1]:") != 1 { n++ }
		END { print n + 0 }'
}

# "1 1 0": a field of m1, m2 and m3 in the members' table.
fields() {
	members_json | jq -r --arg f "$1" --argjson uni "$(uni_json)" '
	    [$uni.m1, $uni.m2, $uni.m3] as $order
	    | [$order[] as $a | .members[] | select(.address == $a)
		| .[$f] | tostring] | join(" ")'
}

# "1 1 0": the group's flows that are not closed, per member.
open_flows() {
	api GET "/api/v1/flows?group=$ANY&limit=1000" |
	    jq -r --argjson uni "$(uni_json)" '
		[.flows[] | select(.state != "closed") | .member] as $m
		| [$uni.m1, $uni.m2, $uni.m3]
		| map(. as $a | [$m[] | select(. == $a)] | length | tostring)
		| join(" ")'
}

# ---------------------------------------------------------------------
# two long sessions, on m1 and m2

api PATCH "$(member_path m3)" '{"drain": true}' >/dev/null
pids=()
for _ in 1 2; do
	c1 curl -gs -o /dev/null -m 300 "http://[$ANY]/slow" \
	    2>>"$TEST_TMP/curl-slow.err" &
	pids+=($!)
done
stop_downloads() { kill "${pids[@]}" 2>/dev/null; }
at_exit stop_downloads

ss_line() { echo "$(est m1) $(est m2) $(est m3)"; }
parked() {
	[ "$(ss_line)" = "1 1 0" ] && [ "$(open_flows)" = "1 1 0" ] &&
	    [ "$(fields sessions)" = "1 1 0" ]
}
wait_for parked ||
    fail "downloads not one on m1 and one on m2: established (ss)" \
    "$(ss_line), open flows $(open_flows), agents' sessions" \
    "$(fields sessions); curl: $(cat "$TEST_TMP/curl-slow.err")"
info "two downloads of /slow from c1, m3 drained: m1 m2 m3 have"
info "  established (ss on each member):  $(ss_line)"
info "  open flows in the router:         $(open_flows)"
info "  sessions reported by the agents:  $(fields sessions)"
api PATCH "$(member_path m3)" '{"drain": false}' >/dev/null

# ---------------------------------------------------------------------
# nine short requests, one after the other

# The connection before is closed in the router, and the agents have
# reported its end if they saw it at all: only the downloads remain.
settled() {
	[ "$(open_flows)" = "1 1 0" ] && [ "$(fields sessions)" = "1 1 0" ]
}

declare -A got=([m1]=0 [m2]=0 [m3]=0)
order="" before=""
for i in $(seq 1 "$SHORT"); do
	wait_for settled ||
	    fail "before request $i: open flows $(open_flows), agents'" \
	    "sessions $(fields sessions), expected 1 1 0 for both"
	before+="$(fields effective_sessions | tr ' ' /) "
	name=$(c2 curl -gsS --connect-timeout 3 -m 5 -H 'Connection: close' \
	    "http://[$ANY]/name" 2>>"$TEST_TMP/curl-short.err") ||
	    fail "request $i failed: $(tail -1 "$TEST_TMP/curl-short.err")"
	case $name in
	m1|m2|m3) ;;
	*) fail "request $i answered '$name'" ;;
	esac
	got[$name]=$((got[$name] + 1))
	order+="$name "
done

line="m1=${got[m1]} m2=${got[m2]} m3=${got[m3]}"
info "$SHORT short requests from c2 under $POLICY: $line"
info "  answered by, in order:         ${order% }"
info "  effective sessions m1/m2/m3 before each: ${before% }"

for p in "${pids[@]}"; do
	kill -0 "$p" 2>/dev/null || fail "a download ended early:" \
	    "$(cat "$TEST_TMP/curl-slow.err")"
done
assert_eq "$SHORT" "${got[m3]}" \
    "requests answered by m3, the member without a session ($line)"
