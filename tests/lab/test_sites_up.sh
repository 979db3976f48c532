#!/usr/bin/env bash
#
# The "sites" lab: three vrouters joined by bridged links, BIRD on t3
# (drawing in lib_sites.sh), and what "lab.sh down" leaves of it.
#
#   up ── checks ── down                      nothing left
#   up killed with SIGKILL half-way ── down   nothing left
#   up (a router configuration vrouter rejects) fails naming the router,
#   nothing left
#
# Checks: every router's API answers with its four interfaces; br0 of
# each link has exactly the TAPs of its two routers; every member is up
# in its own router; c1 pings every router's transit addresses and every
# member across the links, and a request to the anycast address is
# answered by a member (every route between the routers comes from
# RIPng); BIRD answers "show protocols" with RIPng up, learns rc's
# client prefix and rc learns BIRD's static prefix.

# shellcheck source=tests/lab/lib_sites.sh
. "$(dirname "$0")/lib_sites.sh"

topo=$SITES_TOPOLOGY
start=$(date +%s%N)
sites_start
info "up in $(( ($(date +%s%N) - start) / 1000000 )) ms"

# --- the routers
for r in "${ROUTERS[@]}"; do
	n=$(on "$r" api GET /api/v1/status | jq -r .interfaces)
	assert_eq 4 "$n" "interfaces of router $r in /api/v1/status"
done
info "routers ${ROUTERS[*]}: APIs answer"

# --- the links: br0 holds the TAPs of their routers, nothing else
for l in "${LINKS[@]}"; do
	want=$(tr ' ' '\n' <<<"${LINK_ROUTERS[$l]}" | sort)
	assert_eq "$want" "$(bridge_ports "$l")" "ports of br0 in link $l"
done
line=""
for l in "${LINKS[@]}"; do
	line+="${line:+, }$l [$(bridge_ports "$l" | paste -sd ' ')]"
done
info "br0 ports: $line"

# --- members, each up in its own router
member_up() {
	on "$1" api GET "/api/v1/groups/$ANY/members" |
	    jq -e --arg a "$2" 'any(.members[]; .address == $a and .state == "up")' \
	    >/dev/null
}
for m in m1 m2; do
	member_up rs1 "${UNI[$m]}" || fail "$m is not up in rs1"
done
for m in m3 m4; do
	member_up rs2 "${UNI[$m]}" || fail "$m is not up in rs2"
done
info "members m1, m2 up in rs1; m3, m4 up in rs2"

# --- reachability across the links
reaches() { h "$1" ping -6 -c 1 -W 1 "$2" >/dev/null 2>&1; }
for r in "${ROUTERS[@]}"; do
	for a in ${TRANSIT[$r]}; do
		wait_for reaches c1 "$a" || fail "c1 does not reach $r at $a"
		ping_ok c1 "$a" 2
	done
done
for m in m1 m2 m3 m4; do
	wait_for reaches c1 "${UNI[$m]}" || fail "c1 does not reach $m"
	ping_ok c1 "${UNI[$m]}" 2
done
info "c1 reaches every transit address and every member"
name=$(c1 curl -s -m 5 "http://[$ANY]/name") ||
    fail "c1: no answer from the anycast address $ANY"
assert_match '^m[1-4]$' "$name" "answer of $ANY/name"
info "$ANY/name from c1: $name"

# --- BIRD on t3
out=$(birdc t3 show protocols)
assert_match 'ripng +RIP +master6 +up' "$out" "birdc t3 show protocols"
info "BIRD on t3: $(awk '$1 == "ripng" { print $1, $2, $3, $4 }' <<<"$out")"
bird_has() { [[ $(birdc t3 show route "$1") == *"$1"* ]]; }
wait_for bird_has 2001:db8:1::/64 ||
    fail "BIRD did not learn 2001:db8:1::/64:"$'\n'"$(birdc t3 show route)"
rc_route_type() {
	on rc api GET /api/v1/routes | jq -r --arg p "$1" \
	    '[.routes[] | select(.prefix == $p) | .type][0] // "none"'
}
rc_learnt() { [ "$(rc_route_type "$1")" = ripng ]; }
wait_for rc_learnt 2001:db8:99::/64 ||
    fail "rc has no RIPng route to BIRD's 2001:db8:99::/64" \
    "(type: $(rc_route_type 2001:db8:99::/64))"
info "BIRD learnt 2001:db8:1::/64 (rc's client link), rc learnt" \
    "2001:db8:99::/64 (BIRD's static)"

# --- down
lab down >/dev/null || fail "lab.sh down failed"
left=$(sites_left)
[ -z "$left" ] || fail "left after down:"$'\n'"$left"
info "down: nothing left"

# --- up killed once the routers run, then down
LAB_QUIET=1 lab up "$topo" >"$TEST_TMP/up.log" 2>&1 &
uppid=$!
started() { [ -s "$LAB_STATE/routers/rs2/vrouter.pid" ]; }
wait_for -t 60 started || fail "lab.sh up did not start rs2:"$'\n'"$(cat "$TEST_TMP/up.log")"
kill -KILL "$uppid"
wait "$uppid" 2>/dev/null || true
lab down >/dev/null || fail "lab.sh down after a killed up failed"
left=$(sites_left)
[ -z "$left" ] || fail "left after a killed up and down:"$'\n'"$left"
info "up killed half-way, down: nothing left"

# --- a router configuration vrouter rejects
jq '.routers[2].interfaces[2].addresses = ["2001:db8:f2::2/129"]' "$topo" \
    >"$TEST_TMP/bad.json"
! LAB_QUIET=1 lab up "$TEST_TMP/bad.json" >"$TEST_TMP/up.log" 2>&1 ||
    fail "lab.sh up accepted an address with prefix length 129"
assert_match 'configuration of router rs2' "$(cat "$TEST_TMP/up.log")" \
    "lab.sh up output"
left=$(sites_left)
[ -z "$left" ] || fail "left after a failed up:"$'\n'"$left"
info "bad address in rs2: $(grep -m1 'router rs2' "$TEST_TMP/up.log")"
