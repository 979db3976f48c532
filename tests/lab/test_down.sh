#!/usr/bin/env bash
#
# lab.sh down leaves nothing behind, however "up" ended.
#
#   up ── down ── down             clean twice over
#   up ── up                       the second replaces the first
#   up (bad router address)        fails with vrouter's message, clean
#   up (bad topology)              fails before creating anything
#   up ── SIGKILL mid-way ── down  clean
#
# Clean means: no namespace of the lab, no vrouter process of the lab,
# no TAP device of the router's interfaces, no state directory.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT

HOSTS=$(jq -r '.hosts[].name' "$DEFAULT_TOPOLOGY")
TAPS=$(jq -r '.router.interfaces[].name' "$DEFAULT_TOPOLOGY")

# Read once: a zombie reaped between two reads must not count as alive.
alive() {
	local s
	s=$(cat "/proc/$1/status" 2>/dev/null) && [ -n "$s" ] &&
	    ! grep -q '^State:.*Z' <<<"$s"
}

lab_netns() {
	local n
	for n in $(ip netns list | awk '{ print $1 }'); do
		grep -qxF "$n" <<<"$HOSTS" && echo "$n"
	done
	return 0
}

# assert_clean WHEN [VROUTER_PID]
assert_clean() {
	local when=$1 pid=${2:-} t
	[ -z "$(lab_netns)" ] ||
	    fail "$when: namespaces left: $(lab_netns | tr '\n' ' ')"
	[ -z "$pid" ] || ! alive "$pid" ||
	    fail "$when: vrouter (pid $pid) still runs"
	[ -z "$(pgrep -f -- "$LAB_STATE/router.json")" ] ||
	    fail "$when: processes left: $(pgrep -af -- "$LAB_STATE/router.json")"
	for t in $TAPS; do
		! ip -d -o link show dev "$t" 2>/dev/null | grep ' tun ' >/dev/null ||
		    fail "$when: TAP device $t left in the root namespace"
	done
	[ ! -e "$LAB_STATE" ] || fail "$when: $LAB_STATE left"
}

# up [TOPOLOGY]: the plain routing lab unless told (lab.sh's own default
# is the anycast lab).
up() { LAB_QUIET=1 lab up "${1:-$DEFAULT_TOPOLOGY}" >"$TEST_TMP/up.log" 2>&1; }

# --- up, down, down
up || fail "lab.sh up failed:"$'\n'"$(cat "$TEST_TMP/up.log")"
pid=$(cat "$LAB_STATE/vrouter.pid")
alive "$pid" || fail "vrouter is not running after up"
assert_eq "$(sort <<<"$HOSTS")" "$(lab_netns | sort)" "namespaces after up"
for n in $HOSTS; do
	h "$n" ip -d -o link show dev eth0 | grep 'tun type tap' >/dev/null ||
	    fail "$n has no TAP eth0"
done
lab down >/dev/null || fail "lab.sh down failed"
assert_clean "after down" "$pid"
lab down >/dev/null || fail "lab.sh down (a second time) failed"
assert_clean "after a second down" "$pid"
info "up, down, down: clean"

# --- up over a running lab
up || fail "lab.sh up failed:"$'\n'"$(cat "$TEST_TMP/up.log")"
pid1=$(cat "$LAB_STATE/vrouter.pid")
up || fail "lab.sh up over a running lab failed:"$'\n'"$(cat "$TEST_TMP/up.log")"
pid2=$(cat "$LAB_STATE/vrouter.pid")
[ "$pid1" != "$pid2" ] && ! alive "$pid1" ||
    fail "the first vrouter (pid $pid1) survived a second up"
ping_ok c1 2001:db8:11::10 1
lab down >/dev/null || fail "lab.sh down failed"
assert_clean "after up, up, down" "$pid2"
info "up over a running lab replaces it"

# --- a router configuration vrouter rejects
jq '.router.interfaces[0].addresses = ["2001:db8:1::1/129"]' \
    "$DEFAULT_TOPOLOGY" >"$TEST_TMP/bad-address.json"
! up "$TEST_TMP/bad-address.json" ||
    fail "lab.sh up accepted a router address with prefix length 129"
assert_match '129' "$(cat "$TEST_TMP/up.log")" \
    "lab.sh up output (vrouter's message about the bad address)"
assert_clean "after a failed up"
lab down >/dev/null || fail "lab.sh down after a failed up failed"
assert_clean "after a failed up and down"
info "bad router address: up fails with: $(grep -m1 129 "$TEST_TMP/up.log")"

# --- a topology lab.sh itself rejects
jq '.hosts[0].interface = "s1"' "$DEFAULT_TOPOLOGY" >"$TEST_TMP/bad-host.json"
! up "$TEST_TMP/bad-host.json" ||
    fail "lab.sh up accepted a host on another host's interface"
assert_match 'hosts\[0\]\.interface' "$(cat "$TEST_TMP/up.log")" \
    "lab.sh up output"
assert_clean "after a rejected topology"
info "bad topology: $(grep -m1 'hosts\[0\]' "$TEST_TMP/up.log" | sed 's/^ *//')"

# --- up killed half-way, then down
LAB_QUIET=1 lab up "$DEFAULT_TOPOLOGY" >"$TEST_TMP/up.log" 2>&1 &
uppid=$!
has_pid() { [ -s "$LAB_STATE/vrouter.pid" ]; }
wait_for has_pid || fail "lab.sh up did not start vrouter"
pid=$(cat "$LAB_STATE/vrouter.pid")
kill -KILL "$uppid"
wait "$uppid" 2>/dev/null || true
alive "$pid" || fail "vrouter did not outlive the killed lab.sh up"
lab down >/dev/null || fail "lab.sh down after a killed up failed"
assert_clean "after a killed up and down" "$pid"
info "up killed half-way, down: clean"
