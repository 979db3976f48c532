#!/usr/bin/env bash
#
# The client shim leaves nothing behind: what a killed shim left is
# removed by the next one at start, and SIGTERM removes everything.
#
#   c1: anycast-client ── rules (priority 100, proto 172) and tables
#       (from 44032, routes proto 172) ── vrouter ── m1, m2, m3
#
# A long download from c1 is on the direct path (a rule and a route);
# the shim is killed with SIGKILL: both stay; a new shim starts and
# removes them ("removed 2 rules and routes left by a previous run"); a
# new connection is learnt; SIGTERM: the shim removes its rule and
# route, its status socket, and exits 0.

# shellcheck source=tests/lab/lib_client.sh
. "$(dirname "$0")/lib_client.sh"
need_seg6_lwt
DIR=$SHIM_DIR
anycast_start

count_is() { shim_count_is "$1"; }
ours() { h c1 ip -6 rule show | grep " proto 172" || true; h c1 ip -6 route show table all proto 172; }
ours_n() { ours | grep -c . || true; }
none_left() { [ "$(ours_n)" = 0 ]; }
pid() { cat "$DIR/client.pid"; }

c1 curl -gs -m 6 -o /dev/null "http://[$ANY]/slow" &
wait_for count_is 1 || fail "the shim learnt nothing"
assert_eq 2 "$(ours_n)" "rules and routes of the shim:"$'\n'"$(ours)"

kill -KILL "$(pid)"
wait_for proc_gone "$(pid)" || fail "the shim survives SIGKILL"
assert_eq 2 "$(ours_n)" "rules and routes left by the killed shim"
info "killed shim left: $(ours | tr '\n' ';')"

start_shim() {
	setsid ip netns exec c1 "$SHIM" -i eth0 -S "$DIR/client.sock" -A 2001:db8:ac::/64 \
	    </dev/null >>"$DIR/client.log" 2>&1 &
	echo $! >"$DIR/client.pid"
}
sock_up() { [ -S "$DIR/client.sock" ] && count_is 0; }
rm -f "$DIR/client.sock"
start_shim
wait_for sock_up || fail "the new shim does not start: $(tail -3 "$DIR/client.log")"
none_left || fail "left after the restart:"$'\n'"$(ours)"
line=$(grep 'previous run' "$DIR/client.log" | tail -1)
assert_match "removed 2 rules and routes left by a previous run" "$line" \
    "shim log"
info "new shim: $line"

c1 curl -gs -m 6 -o /dev/null "http://[$ANY]/slow" &
wait_for count_is 1 || fail "the new shim learnt nothing"
assert_eq 2 "$(ours_n)" "rules and routes of the new shim"
p=$(pid)
kill -TERM "$p"
wait_for proc_gone "$p" || fail "the shim does not exit on SIGTERM"
rc=0
wait "$p" || rc=$?
assert_eq 0 "$rc" "exit status after SIGTERM"
none_left || fail "left after SIGTERM:"$'\n'"$(ours)"$'\n'"$(tail -4 "$DIR/client.log")"
[ ! -e "$DIR/client.sock" ] || fail "status socket left after SIGTERM"
info "SIGTERM: $(grep -c 'removing 1 connections' "$DIR/client.log") connection removed, nothing left"
