#!/usr/bin/env bash
#
# Member failure (paper 1, probe before forwarding): a member whose
# service stops or whose link is cut leaves the selection, clients see no
# failed request, and the member comes back by itself; with no member
# left the router answers at once with Destination Unreachable.
#
#   c1 ── 60 x GET http://[A]/name ── vrouter ──┬── m1
#                                               ├── m2  (a) nginx stopped
#                                               └── m3  (b) eth0 down
#                                               (c) every nginx stopped
#
# (a) nginx of m2 stopped: m2's agent finds its health check failing and
#     reports it; m2 is "down" in the API (time printed); 60 requests,
#     none failed and none answered by m2; nginx started again: m2 is
#     "up" again by itself and answers requests.
# (b) eth0 of m3 set down: the router's probes go unanswered; m3 is
#     "down" (time printed); 60 requests, none failed, none by m3; eth0
#     up again: m3 is "up" again by itself and answers requests.
# (c) nginx stopped on every member: every member "down"; curl fails in
#     less than 1.5 s (not a timeout) with a connection error caused by
#     the router's Destination Unreachable (connect() gets EHOSTUNREACH);
#     the group counts it; nginx started again everywhere: every member
#     "up", requests answered.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

# check_requests WHAT EXCLUDED|"" INCLUDED|"": 60 requests from c1, none
# failed, none answered by EXCLUDED, some by INCLUDED.
check_requests() {
	local what=$1 no=$2 yes=$3
	requests c1 60
	info "  60 requests $what: $REQ_OK answered ($(req_line))," \
	    "$REQ_FAILED failed"
	assert_eq 0 "$REQ_FAILED" "failed requests $what ($(head -3 \
	    "$TEST_TMP/requests/err" | tr '\n' ' '))"
	[ -z "$no" ] || assert_eq 0 "${REQ_COUNT[$no]}" \
	    "requests answered by $no $what"
	[ -z "$yes" ] || assert_gt "${REQ_COUNT[$yes]}" 0 \
	    "requests answered by $yes $what"
}

# wait_state HOST STATE SECONDS: prints the milliseconds it took.
wait_state() {
	local t0
	t0=$(now_ms)
	wait_for -t "$3" member_in_state "$1" "$2" ||
	    fail "$1 is not $2 after $3 s: $(states_line)"
	echo $(( $(now_ms) - t0 ))
}

check_requests "with every member up" "" ""

# ---------------------------------------------------------------------
info "(a) m2's web server stopped"
t0=$(now_ms)
nginx_stop m2
wait_for -t 10 member_in_state m2 down ||
    fail "m2 is not down 10 s after its nginx stopped: $(states_line)"
ms=$(( $(now_ms) - t0 ))
reason=$(member_field m2 down_reason)
info "  m2 left the selection ${ms} ms after nginx stopped" \
    "(down_reason: $reason); $(states_line)"
assert_eq health "$reason" "why m2 is down"
check_requests "with m2 down" m2 ""

nginx_start m2
ms=$(wait_state m2 up 20)
info "  m2 up again ${ms} ms after nginx started"
check_requests "after m2 came back" "" m2

# ---------------------------------------------------------------------
info "(b) m3's link cut"
t0=$(now_ms)
ip -n m3 link set eth0 down
wait_for -t 15 member_in_state m3 down ||
    fail "m3 is not down 15 s after its link was cut: $(states_line)"
ms=$(( $(now_ms) - t0 ))
info "  m3 left the selection ${ms} ms after its link went down" \
    "(down_reason: $(member_field m3 down_reason)); $(states_line)"
check_requests "with m3 cut off" m3 ""

t0=$(now_ms)
ip -n m3 link set eth0 up
ms=$(wait_state m3 up 30)
info "  m3 up again ${ms} ms after its link came back"
# Its replies need the default route, learned again from an RA.
m3_has_default() { [ -n "$(m3 ip -6 route show default)" ]; }
wait_for -t 15 m3_has_default || fail "m3 has no default route again"
check_requests "after m3 came back" "" m3

# ---------------------------------------------------------------------
info "(c) every web server stopped"
unreach0=$(group_counter .unreachables)
for m in "${MEMBERS[@]}"; do
	nginx_stop "$m"
done
all_down() {
	local m
	for m in "${MEMBERS[@]}"; do
		member_in_state "$m" down || return 1
	done
}
wait_for -t 10 all_down ||
    fail "not every member is down 10 s after the web servers stopped:" \
    "$(states_line)"
info "  $(states_line)"

t0=$(now_ms)
rc=0
c1 curl -gsS --max-time 5 -o /dev/null "http://[$ANY]/name" \
    2>"$TEST_TMP/curl.err" || rc=$?
ms=$(( $(now_ms) - t0 ))
err=$(head -c 300 "$TEST_TMP/curl.err")
info "  curl with no member up: exit $rc after ${ms} ms: $err"
[ "$rc" -ne 0 ] || fail "curl succeeded with every member down"
[ "$rc" -ne 28 ] || fail "curl timed out instead of failing at once: $err"
[ "$ms" -lt 1500 ] || fail "curl took ${ms} ms to fail (1500 at most)"
assert_match "No route to host|Network is unreachable|Couldn't connect|Failed to connect" \
    "$err" "curl's error"
# The errno behind it: Destination Unreachable, code 3 (address).
out=$(c1 /usr/bin/python3 - "$ANY" <<'EOF'
import errno, os, socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(5)
t = time.monotonic()
try:
    s.connect((sys.argv[1], 80))
    what = "connected"
except socket.timeout:
    what = "timeout"
except OSError as e:
    what = "%s (%s)" % (errno.errorcode.get(e.errno, e.errno),
                        os.strerror(e.errno))
print("%s after %d ms" % (what, (time.monotonic() - t) * 1000))
EOF
)
info "  connect() with no member up: $out"
assert_match '^EHOSTUNREACH ' "$out" "connect() to $ANY with no member up"
unreach=$(group_counter .unreachables)
assert_gt "$unreach" "$unreach0" "the group's unreachables counter"
info "  unreachables counter: $unreach0 -> $unreach"

for m in "${MEMBERS[@]}"; do
	nginx_start "$m"
done
t0=$(now_ms)
wait_for -t 20 all_up || fail "members not up again: $(states_line)"
info "  every member up again $(( $(now_ms) - t0 )) ms after nginx started"
check_requests "after every member came back" "" ""
