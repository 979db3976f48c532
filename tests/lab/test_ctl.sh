#!/usr/bin/env bash
#
# vrouterctl against the anycast lab: every command, its table and its
# --json, checked against the REST API it reads and writes.
#
#   vrouterctl ── http://[::1]:8080 ── vrouter ──┬── m1, m2, m3 (group A)
#                                       │        c1, c2
#
# Before the lab: no router is a "connection refused" and exit 1; a bad
# command line is exit 2.  With it: the tables list the lab's
# interfaces, routes, group, members and flows; a policy change, a
# drain, an undrain and a weight reach the API (with the token from the
# environment or a file; without one, the API's 401 message and exit 1);
# a capture started, stopped, downloaded and deleted holds the pings
# sent meanwhile.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"

CTL=${VROUTERCTL:-$(dirname "${VROUTER:-$LAB_REPO/build/vrouter}")/vrouterctl}
[ -x "$CTL" ] || fail "no vrouterctl at $CTL (run make)"

# ctl ARGS...: run vrouterctl; its output in $OUT, stderr in $ERR, the
# exit status in $RC.
ctl() {
	set +e
	OUT=$("$CTL" "$@" 2>"$TEST_TMP/ctl-err")
	RC=$?
	set -e
	ERR=$(cat "$TEST_TMP/ctl-err")
}

# draining HOST: the member's "draining" (member_field reads false as absent).
draining() {
	members_json | jq -r --arg a "${UNI[$1]}" \
	    '.members[] | select(.address == $a) | .draining'
}

# Nothing listens on the discard port: the router is not running.
ctl -a 'http://[::1]:9' show status
assert_eq 1 "$RC" "exit status without a router"
assert_match 'connection refused; is vrouter running\?' "$ERR" \
    "message without a router"
ctl show nonesuch
assert_eq 2 "$RC" "exit status of an unknown command"
assert_match 'show nonesuch: expected show status, interfaces, ' "$ERR" \
    "unknown command"
ctl member drain "$ANY"
assert_eq 2 "$RC" "exit status of a missing operand"
assert_match 'usage: vrouterctl member drain A U' "$ERR" "missing operand"
ctl -a 'ftp://x' show status
assert_eq 1 "$RC" "exit status of a bad URL"

anycast_start
export VROUTER_API=$API_URL
export VROUTER_TOKEN=$API_TOKEN

ctl show status
assert_eq 0 "$RC" "show status: $ERR"
assert_match 'mode +tap' "$OUT" "show status"

ctl show interfaces
assert_eq 6 "$(wc -l <<<"$OUT")" "show interfaces: a header and 5 rows"
assert_match '^m1 +m1 +eth0 +02:' "$(grep '^m1 ' <<<"$OUT")" "interface m1"

ctl show routes
assert_match '^2001:db8:21::/64 +connected +- +m1 ' \
    "$(grep '^2001:db8:21::/64' <<<"$OUT")" "route of m1"

ctl show neighbors
assert_match "^${UNI[m2]} +m2 +" "$(grep "^${UNI[m2]} " <<<"$OUT")" \
    "m2 in the neighbour table"

ctl show groups
assert_match "^$ANY +www.example.edu +least-sessions +exp +3 +3 " \
    "$(sed -n 2p <<<"$OUT")" "show groups: three members, three up"
ctl --json show groups
assert_eq "$ANY" "$(jq -r '.groups[0].address' <<<"$OUT")" \
    "show groups --json"

ctl show members "$ANY"
assert_eq 4 "$(wc -l <<<"$OUT")" "show members A: a header and 3 rows"
for m in "${MEMBERS[@]}"; do
	assert_match "^$ANY +${UNI[$m]} +$m +joined +up +no " \
	    "$(grep -F " ${UNI[$m]} " <<<"$OUT")" "member $m"
done

c1 curl -gsS -m 5 -o /dev/null "http://[$ANY]/" ||
    fail "c1 cannot fetch from the anycast address"
ctl show flows "$ANY"
assert_match "^tcp +2001:db8:1::10 +[0-9]+ +$ANY +80 +2001:db8:2[123]::10 " \
    "$(sed -n 2p <<<"$OUT")" "show flows A after a request"

# Changes.
ctl group policy "$ANY" round-robin
assert_eq 0 "$RC" "group policy: $ERR"
assert_match "^$ANY +www.example.edu +round-robin " "$(sed -n 2p <<<"$OUT")" \
    "group policy shows the group"
assert_eq round-robin "$(api GET "/api/v1/groups/$ANY" | jq -r .policy)" \
    "the policy in the API"
ctl group policy "$ANY" fastest
assert_eq 1 "$RC" "exit status of a bad policy"
assert_match '^vrouterctl: HTTP 400: body.policy: ' "$ERR" \
    "the API's message for a bad policy"

ctl member drain "$ANY" "${UNI[m1]}"
assert_eq 0 "$RC" "member drain: $ERR"
assert_match "^- +${UNI[m1]} +m1 +joined +up +yes " "$(sed -n 2p <<<"$OUT")" \
    "member drain shows the member"
assert_eq true "$(draining m1)" "m1 drained in the API"
ctl show members
assert_match " yes " "$(grep -F " ${UNI[m1]} " <<<"$OUT")" \
    "show members: m1 drained"
echo "$API_TOKEN" >"$TEST_TMP/token"
VROUTER_TOKEN='' ctl --token-file "$TEST_TMP/token" member undrain "$ANY" \
    "${UNI[m1]}"
assert_eq 0 "$RC" "member undrain with --token-file: $ERR"
assert_eq false "$(draining m1)" "m1 undrained in the API"
ctl member weight "$ANY" "${UNI[m2]}" 7
assert_eq 7 "$(member_field m2 weight)" "m2's weight in the API"

VROUTER_TOKEN='' ctl member drain "$ANY" "${UNI[m1]}"
assert_eq 1 "$RC" "exit status without a token"
assert_match 'HTTP 401: a valid bearer token is required' "$ERR" \
    "the API's message without a token"
assert_eq false "$(draining m1)" "m1 not drained without a token"
ctl member drain "$ANY" 2001:db8:99::1
assert_eq 1 "$RC" "exit status for an unknown member"
assert_match 'HTTP 404: ' "$ERR" "an unknown member"

# Captures.
ctl capture start interface c1 filter 'icmp6 and ip6[40] == 128'
assert_eq 0 "$RC" "capture start: $ERR"
id=$(awk 'NR == 2 { print $1 }' <<<"$OUT")
assert_match '^[0-9]+$' "$id" "capture id"
c1 ping -6 -c 3 -i 0.2 -W 1 2001:db8:1::1 >/dev/null ||
    fail "c1 cannot ping the router"
ctl capture list
assert_match "^ *$id +c1 +both +yes +3 " "$(grep -E "^ *$id " <<<"$OUT")" \
    "capture list while running"
ctl capture stop "$id"
assert_match "^ *$id +c1 +both +no +3 " "$(sed -n 2p <<<"$OUT")" \
    "capture stop"
ctl capture get "$id" "$TEST_TMP/c1.pcap"
assert_eq 0 "$RC" "capture get: $ERR"
assert_eq 3 "$(tcpdump -nr "$TEST_TMP/c1.pcap" 2>/dev/null | wc -l)" \
    "echo requests in the downloaded capture"
"$CTL" capture get "$id" >"$TEST_TMP/stdout.pcap"
cmp -s "$TEST_TMP/c1.pcap" "$TEST_TMP/stdout.pcap" ||
    fail "capture get to stdout differs from the file"
ctl capture delete "$id"
assert_eq 0 "$RC" "capture delete: $ERR"
ctl capture show "$id"
assert_eq 1 "$RC" "capture show after delete"
assert_match "HTTP 404: no capture \"$id\"" "$ERR" "the deleted capture"

ctl flows flush
assert_match '^flushed +[0-9]+$' "$(sed -n 2p <<<"$OUT")" "flows flush"

ctl show counters
assert_match "anycast.groups.$ANY.joins +3" "$OUT" "show counters"

info "vrouterctl: every command checked against the API"
