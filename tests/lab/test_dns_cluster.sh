#!/usr/bin/env bash
#
# The DNS anycast cluster (paper 2 §6-7), lab "dns"
# (netns/topologies/dns.json):
#
#   c1 2001:db8:1::10 ─┐                       ┌─ d1 2001:db8:31::10 knotd
#                      ├─ rc ═══ t1 ═══ rs1 ───┤
#   c2 2001:db8:2::10 ─┘   ╲               ║   └─ d2 2001:db8:32::10 nsd
#                           ╲ t2 (cost 3) t3
#                            ╲             ║   ┌─ d3 2001:db8:33::10 knotd
#                             ═══════════ rs2 ─┤
#                                              └─ d4 2001:db8:34::10 nsd
#
# Every member serves the zone cluster.test. (100 000 names) on the
# anycast address A = 2001:db8:53::1 and on its own; "who.cluster.test
# TXT" and the NSID name the member and its daemon.  rc's group has no
# member of its own: its E-BB finds the four at rs1 and rs2 (remote
# members), and with "udp_pin": false its round robin chooses one per
# query.
#
# 1. dig from c1 and from c2 to A: 12 queries each answered by all four
#    members, Knot and NSD, the NSID agreeing with the TXT; every member
#    answers on its own address too.
# 2. dnsperf from c1 to A, 3 s, a query file of 100 000 names drawn from
#    the zone: no query lost, each member chosen by rc (frames its site
#    router sent it).
# 3. Under dnsperf load: knotd killed on d1 -> d1 down (reason health)
#    at rs1, and no longer chosen by rc; then nsd killed on d2, the last
#    member of site 1 -> rs1 stops advertising A/128 as its own (rc's
#    RIPng route to it changes from metric 2), rc chooses only d3 and
#    d4.  The queries lost meanwhile are counted and printed.

# shellcheck source=tests/lab/lib_sites.sh
. "$(dirname "$0")/lib_sites.sh"

DNS_TOPOLOGY=$LAB_REPO/netns/topologies/dns.json
ANY=2001:db8:53::1
ZONE=cluster.test.
declare -A DNS_UNI=([d1]=2001:db8:31::10 [d2]=2001:db8:32::10
    [d3]=2001:db8:33::10 [d4]=2001:db8:34::10)
declare -A DAEMON=([d1]=knot [d2]=nsd [d3]=knot [d4]=nsd)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# who HOST SERVER: "TXT|NSID" of one answer, or nothing.
who() {
	local out txt nsid
	out=$(h "$1" dig +nsid +norec +time=1 +tries=1 "@$2" who.$ZONE TXT \
	    2>/dev/null) || return 0
	txt=$(awk '$1 == "who.'$ZONE'" && $4 == "TXT" { gsub(/"/, "");
	    print $5, $6 }' <<<"$out")
	nsid=$(sed -n 's/.*NSID: .*("\(.*\)").*/\1/p' <<<"$out")
	echo "$txt|$nsid"
}

# member_json ROUTER HOST: the member's entry in ROUTER's group.
member_json() {
	on "$1" api GET "/api/v1/groups/$ANY/members" |
	    jq -c --arg a "${DNS_UNI[$2]}" '.members[] | select(.address == $a)'
}
member_down() { [ "$(member_json "$1" "$2" | jq -r .state)" = down ]; }
route_metric() {
	on rc api GET /api/v1/ripng | jq -r --arg p "$ANY/128" \
	    '.routes[] | select(.prefix == $p and .state == "live")
	     | "\(.interface) \(.metric)"'
}
route_is() { [ "$(route_metric)" = "$1" ]; }
route_not() { local r; r=$(route_metric); [ -n "$r" ] && [ "$r" != "$1" ]; }
sel() { member_json rc "$1" | jq '.counters.selections // 0'; }
# not_chosen HOST: rc gave HOST no query in the last half second.
not_chosen() {
	local a b
	a=$(sel "$1")
	sleep 0.5
	b=$(sel "$1")
	[ "${a:-0}" = "${b:-0}" ]
}

t_start=$(now_ms)
lab_start "$DNS_TOPOLOGY"
info "lab up in $(( $(now_ms) - t_start )) ms"
wait_for -t 20 route_is "t1 2" ||
    fail "rc does not route $ANY/128 over t1 metric 2: '$(route_metric)'"

# ---------------------------------------------------------------------
# 1. dig

for m in d1 d2 d3 d4; do
	w=$(who c1 "${DNS_UNI[$m]}")
	assert_eq "$m ${DAEMON[$m]}|$m" "$w" "who.$ZONE TXT|NSID from $m's own address"
done
for c in c1 c2; do
	declare -A seen=()
	for ((i = 0; i < 12; i++)); do
		w=$(who "$c" "$ANY")
		assert_match '^(d[13] knot\|d[13]|d[24] nsd\|d[24])$' "$w" "answer to $c from $ANY"
		seen[$w]=1
	done
	assert_eq 4 "${#seen[@]}" "distinct members answering $c (${!seen[*]})"
	info "$c: 12 queries to $ANY answered by ${!seen[*]}"
	unset seen
done
a=$(h c1 dig +short +norec @"$ANY" n99999.$ZONE AAAA)
assert_eq 2001:db8:5300::1:869f "$a" "AAAA of n99999.$ZONE"

# ---------------------------------------------------------------------
# 2. dnsperf, 100 000 names

lab dns-queries "$ZONE" 100000 1 >"$TEST_TMP/queries"
assert_eq 100000 "$(wc -l <"$TEST_TMP/queries")" "queries in the file"
# What each member was given: frames its site router sent it (the
# member's link), not rc's per-member counter, which starts again when
# a remote member leaves with its expired route cache entry and returns.
declare -A SITE=([d1]=rs1 [d2]=rs1 [d3]=rs2 [d4]=rs2)
sent_to() {
	on "${SITE[$1]}" api GET "/api/v1/interfaces/$1" | jq '.counters.tx_packets'
}
declare -A before=()
for m in d1 d2 d3 d4; do before[$m]=$(sent_to $m); done
h c1 dnsperf -s "$ANY" -d "$TEST_TMP/queries" -l 3 -c 4 -q 20 -t 2 \
    >"$TEST_TMP/perf1" 2>&1 || fail "dnsperf: $(cat "$TEST_TMP/perf1")"
sent=$(awk '/Queries sent:/ { print $3 }' "$TEST_TMP/perf1")
lost=$(awk '/Queries lost:/ { print $3 }' "$TEST_TMP/perf1")
qps=$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$TEST_TMP/perf1")
chosen=""
declare -A gave=()
for m in d1 d2 d3 d4; do
	gave[$m]=$(( $(sent_to $m) - before[$m] ))
	chosen+=" $m ${gave[$m]}"
done
info "dnsperf 3 s from c1: $sent sent, $lost lost, $qps queries/s; frames to each member:$chosen"
for m in d1 d2 d3 d4; do
	assert_gt "${gave[$m]}" 100 "frames rc's choices brought $m"
done
assert_gt "$sent" 1000 "queries sent by dnsperf"
assert_eq 0 "$lost" "queries lost by dnsperf"

# ---------------------------------------------------------------------
# 3. daemons killed under load

h c1 dnsperf -s "$ANY" -d "$TEST_TMP/queries" -l 14 -c 4 -q 20 -t 1 -S 1 \
    >"$TEST_TMP/perf2" 2>&1 &
perf=$!
sleep 2
t0=$(now_ms)
kill "$(cat "$LAB_STATE/hosts/d1/dns/knot.pid")"
wait_for -t 10 member_down rs1 d1 || fail "d1 not down after knotd was killed: $(member_json rs1 d1)"
t_d1=$(( $(now_ms) - t0 ))
assert_eq health "$(member_json rs1 d1 | jq -r .down_reason)" "why d1 is down"
wait_for -t 10 not_chosen d1 || fail "rc still gives d1 queries: $(member_json rc d1)"
t_rc1=$(( $(now_ms) - t0 ))
info "knotd killed on d1: down (health) at rs1 after $t_d1 ms, no longer chosen by rc after $t_rc1 ms"

t1=$(now_ms)
kill "$(cat "$LAB_STATE/hosts/d2/dns/nsd.pid")"
wait_for -t 10 member_down rs1 d2 || fail "d2 not down after nsd was killed: $(member_json rs1 d2)"
t_d2=$(( $(now_ms) - t1 ))
wait_for -t 10 not_chosen d2 || fail "rc still gives d2 queries: $(member_json rc d2)"
t_rc2=$(( $(now_ms) - t1 ))
wait_for -t 15 route_not "t1 2" || fail "rc still routes $ANY/128 as 't1 2'"
t_route=$(( $(now_ms) - t1 ))
info "nsd killed on d2, the last of site 1: down at rs1 after $t_d2 ms, no longer chosen by rc after $t_rc2 ms; rc's RIPng route to $ANY/128 '$(route_metric)' after $t_route ms"
wait "$perf" || true
sent=$(awk '/Queries sent:/ { print $3 }' "$TEST_TMP/perf2")
done_=$(awk '/Queries completed:/ { print $3 }' "$TEST_TMP/perf2")
lost=$(awk '/Queries lost:/ { print $3 }' "$TEST_TMP/perf2")
info "dnsperf 14 s through both failures: $sent sent, $done_ completed, $lost lost ($(awk '/Queries lost:/ { print $4 }' "$TEST_TMP/perf2" | tr -d '()'))"
assert_gt "$done_" 1000 "queries answered through the failures"
assert_eq "$sent" "$(( done_ + lost ))" "sent = completed + lost"
for c in c1 c2; do
	for ((i = 0; i < 4; i++)); do
		w=$(who "$c" "$ANY")
		assert_match '^(d3 knot\|d3|d4 nsd\|d4)$' "$w" "answer to $c after site 1 went"
	done
done
info "c1, c2: 4 queries each answered by d3 and d4"
info "total $(( $(now_ms) - t_start )) ms"
