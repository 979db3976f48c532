#!/usr/bin/env bash
#
# .any names (paper 1 §3.3): the router answers DNS on its own addresses
# for the names of its groups, and unmodified hosts resolve them.
#
#   netns c1 2001:db8:1::10 ──┐   ┌──────────────────────────┐   ┌── m1
#     dig, getent, curl,      ├───┤ vrouter  2001:db8:1::1   ├───┼── m2
#     rdisc6; resolv.conf:    │   │ www.example.edu.any. AAAA│   └── m3
#     nameserver 2001:db8:1::1│   │   = A = 2001:db8:ac::1   │      nginx on [A]:80
#   netns c2 ─────────────────┘   └──────────────────────────┘
#
# dig @router: AAAA of the group's name (and in any case), over UDP and
# TCP (one query per connection), NXDOMAIN and
# NODATA with the SOA, REFUSED outside any., EDNS answered; a garbage
# datagram counted as malformed and not answered.  getent and curl in
# c1 find the name through the resolv.conf lab.sh wrote; an RA carries
# RDNSS and DNSSL; the zone exported by the API passes kzonecheck; a
# group added through the API resolves at once and is gone once
# deleted.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

R=2001:db8:1::1
NAME=www.example.edu.any

q() { c1 dig +time=2 +tries=2 "@$R" "$@"; }
status_of() { grep -oE 'status: [A-Z]+' <<<"$1" | cut -d' ' -f2; }
dns_counter() { api GET /api/v1/counters | jq -r ".dns.$1"; }

# --- the group's name
out=$(q AAAA "$NAME")
assert_eq NOERROR "$(status_of "$out")" "status of AAAA $NAME"
assert_match "flags: qr aa rd;" "$out" "AAAA $NAME: authoritative"
assert_match "^$NAME\.[[:space:]]+60[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+$ANY\$" \
    "$out" "AAAA $NAME"
assert_match "EDNS: version: 0, flags:; udp: 1232" "$out" "OPT of the answer"
assert_eq "$ANY" "$(q +short AAAA WWW.Example.EDU.any)" "upper-case name"
assert_eq "$ANY" "$(q +short +noedns AAAA "$NAME")" "without EDNS"
info "dig AAAA $NAME: $ANY"

# --- over TCP: one query per connection, answer and FIN
out=$(q +tcp AAAA "$NAME")
assert_eq NOERROR "$(status_of "$out")" "status of AAAA $NAME over TCP"
assert_match "^$NAME\.[[:space:]]+60[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+$ANY\$" \
    "$out" "AAAA $NAME over TCP"
assert_eq NXDOMAIN "$(status_of "$(q +tcp AAAA nope.any)")" "NXDOMAIN over TCP"
c1 kdig +tcp +keepopen +time=2 "@$R" AAAA "$NAME" AAAA mail.any \
    >"$TEST_TMP/kdig" 2>&1 || true
assert_eq 1 "$(grep -c 'status: NOERROR' "$TEST_TMP/kdig")" \
    "answers on one connection (the second query is refused)"
assert_gt "$(dns_counter tcp_connections)" 2 "dns.tcp_connections"
info "dig +tcp AAAA $NAME: $ANY"

# --- negative answers and refusals
out=$(q AAAA nope.example.edu.any)
assert_eq NXDOMAIN "$(status_of "$out")" "unknown name"
assert_match "^any\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns\.any\. hostmaster\.any\." \
    "$out" "SOA with NXDOMAIN"
out=$(q A "$NAME")
assert_eq NOERROR "$(status_of "$out")" "A of $NAME"
assert_match "ANSWER: 0, AUTHORITY: 1" "$out" "A of $NAME: NODATA"
out=$(q AAAA www.example.edu)
assert_eq REFUSED "$(status_of "$out")" "name outside any."
assert_eq "ns.any." "$(q +short NS any.)" "NS of the apex"
assert_eq "$R" "$(q +short AAAA ns.any)" "the router's own name"
ll=$(c1 ip -6 route show default | awk '{ print $3; exit }')
assert_match '^fe80:' "$ll" "c1's default router"
assert_eq "$R" "$(c1 dig +short +time=2 "@$ll%eth0" AAAA ns.any)" \
    "ns.any. asked at the router's link-local address"

malformed0=$(dns_counter malformed)
printf 'not a dns query' | c1 socat -t 1 - "UDP6:[$R]:53" >"$TEST_TMP/garbage" || true
assert_eq 0 "$(stat -c %s "$TEST_TMP/garbage")" "answer to garbage (bytes)"
wait_for test "$(dns_counter malformed)" -gt "$malformed0" ||
    fail "garbage not counted as malformed"
assert_gt "$(dns_counter noerror)" 0 "dns.noerror"
api GET /metrics | grep -q '^vrouter_dns_queries_total [1-9]' ||
    fail "no vrouter_dns_queries_total in /metrics"

# --- unmodified tools through resolv.conf
assert_match "^nameserver $R\$" "$(c1 cat /etc/resolv.conf)" "c1's resolv.conf"
out=$(c1 getent ahosts "$NAME") || fail "getent ahosts $NAME failed"
assert_match "^$ANY[[:space:]]+STREAM" "$out" "getent ahosts $NAME"
page=$(c1 curl -sS -m 5 "http://$NAME/name") || fail "curl http://$NAME/name failed"
assert_match '^m[123]$' "$page" "page served through the name"
info "getent and curl http://$NAME/ from c1: served by $page"

# --- RDNSS and DNSSL in router advertisements
out=$(c1 rdisc6 -1 -r 3 -w 1500 eth0) || fail "no RA on c1: $out"
assert_match "Recursive DNS server +: $R\$" "$out" "RDNSS"
assert_match "DNS server lifetime +: +30 \(" "$out" "RDNSS lifetime"
assert_match "DNS search list +: any *\$" "$out" "DNSSL"

# --- the zone for a real name server
api_get_to "$TEST_TMP/any.zone" /api/v1/dns/zone
kzonecheck -o any. "$TEST_TMP/any.zone" >"$TEST_TMP/kzc" 2>&1 ||
    fail "kzonecheck refuses the zone: $(cat "$TEST_TMP/kzc")"$'\n'"$(cat "$TEST_TMP/any.zone")"
grep -Eq "^$NAME\.[[:space:]]+60[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+$ANY\$" \
    "$TEST_TMP/any.zone" || fail "no AAAA of $NAME in the zone"

# --- a group added at run time answers at once, and goes
api POST /api/v1/groups '{"address": "2001:db8:ad::1", "name": "new.example"}' \
    >/dev/null
assert_eq 2001:db8:ad::1 "$(q +short AAAA new.example.any)" "group added"
api GET /api/v1/dns/zone | grep -q '^new\.example\.any\.' ||
    fail "new group missing in the zone"
api DELETE /api/v1/groups/2001:db8:ad::1 >/dev/null
assert_eq NXDOMAIN "$(status_of "$(q AAAA new.example.any)")" "group deleted"
info "group added and deleted through the API: answered at once"
