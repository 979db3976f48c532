#!/usr/bin/env bash
#
# The E-BB across the sites lab (netns/topologies/sites-ebb.json, drawn
# in lib_sites.sh): rc holds the group 2001:db8:ac::1 with "ebb" and no
# member of its own; rs1 (m1, m2) and rs2 (m3, m4) answer its DISCOVERs.
#
#   c1 ── rc ══ t1 ══ rs1 ── m1, m2        rc: policy round-robin over
#          ╲         ║                         the four remote members
#           ══ t2 ══ rs2 ── m3, m4
#
# Checks: the first request from c1 to A is answered (a discovery, its
# answers, a reservation first); rc's /api/v1/ebb then shows the
# discovery, four routes in its cache (one per member, via rs1 or rs2)
# and a reservation held on its links; rs1 holds a reservation on t1
# (reserved_kbit > 0 while it lasts); rc's group lists the four members
# as remote; twenty requests more are all answered, by members of both
# sites (round-robin); the packets rc sends to the members carry an SRH
# (tshark on a capture of t1 and t2: routing type 4, destination a
# member's U); no request failed.  Figures: the first request's time,
# the discovery to its first packet, the later requests' mean.

# shellcheck source=tests/lab/lib_sites.sh
. "$(dirname "$0")/lib_sites.sh"

SITES_TOPOLOGY=$LAB_REPO/netns/topologies/sites-ebb.json
sites_start

reaches() { h "$1" ping -6 -c 1 -W 1 "$2" >/dev/null 2>&1; }
for m in m1 m2 m3 m4; do
	wait_for reaches c1 "${UNI[$m]}" || fail "c1 does not reach $m"
done
info "RIPng: c1 reaches every member's unicast address"

# rc's capture of what it sends with a routing header (next header 43).
code=$(on rc api_code POST /api/v1/captures \
    '{"direction": "tx", "filter": "ip6[6] == 43"}')
assert_eq 201 "$code" "POST /api/v1/captures at rc: $(cat "$TEST_TMP/api-body")"
cap=$(jq -r .id "$TEST_TMP/api-body")
# and of the E-BB's messages, both ways (decoded with tools/wireshark/ebb.lua)
code=$(on rc api_code POST /api/v1/captures \
    '{"direction": "both", "filter": "udp port 5300"}')
assert_eq 201 "$code" "POST /api/v1/captures at rc: $(cat "$TEST_TMP/api-body")"
ecap=$(jq -r .id "$TEST_TMP/api-body")

# --- the first request: a discovery, then a reservation
t0=$(date +%s%N)
name=$(c1 curl -s -m 5 "http://[$ANY]/name") ||
    fail "c1: no answer from $ANY (first request)"
first_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_match '^m[1-4]$' "$name" "first answer of $ANY/name"
ebb=$(on rc api GET /api/v1/ebb)
c() { jq -r ".counters.$1" <<<"$ebb"; }
assert_gt "$(c discoveries_sent)" 0 "rc: discoveries sent"
assert_gt "$(c answers_received)" 3 "rc: answers received"
assert_gt "$(c reservations_ok)" 0 "rc: reservations acknowledged"
assert_eq 4 "$(jq '[.routes[] | select(.expires_ms > 0)] | length' <<<"$ebb")" \
    "rc: live routes in the cache"
vias=$(jq -r '[.routes[].via] | unique | join(" ")' <<<"$ebb")
assert_eq "2001:db8:21::1 2001:db8:23::1" "$vias" "rc: routers answering (ids)"
assert_gt "$(jq '.reservations | length' <<<"$ebb")" 0 "rc: reservations held"
disc_ms=$(jq -r '.groups[0].first_packet_ms' <<<"$ebb")
line=$(grep -m1 'ebb: group .*: discovery' "$(router_state rc)/vrouter.log") ||
    fail "no discovery line in rc's log"
info "rc's log: ${line#* }"
info "first request answered by $name in $first_ms ms; discovery to" \
    "first packet $disc_ms ms; rc: $(c discoveries_sent) discoveries," \
    "$(c answers_received) answers, $(c reservations_ok) reservations"

members=$(on rc api GET "/api/v1/groups/$ANY/members")
assert_eq 4 "$(jq '[.members[] | select(.remote)] | length' <<<"$members")" \
    "rc: remote members of $ANY"

# --- twenty more: all answered, by both sites
declare -A seen=()
fails=0
t0=$(date +%s%N)
for i in $(seq 1 20); do
	if n=$(c1 curl -s -m 5 "http://[$ANY]/name"); then
		seen[$n]=1
	else
		fails=$((fails + 1))
	fi
done
later_ms=$(( ($(date +%s%N) - t0) / 20000000 ))
assert_eq 0 "$fails" "failed requests"
names=$(tr ' ' '\n' <<<"${!seen[*]}" | sort | paste -sd ' ')
assert_match 'm[12]' "$names" "members that answered (site 1)"
assert_match 'm[34]' "$names" "members that answered (site 2)"
ebb=$(on rc api GET /api/v1/ebb)
info "20 more requests: answered by $names, mean $later_ms ms each; rc:" \
    "$(c requests) requests, $(c cache_hits) cache hits," \
    "$(c cache_misses) misses, $(c discoveries_sent) discoveries," \
    "$(c reservations_sent) reservations sent, $(c reservations_ok) ok"

# rs1 holds its share on t1 while a reservation through it lasts.
rs1=$(on rs1 api GET /api/v1/ebb)
kbit=$(jq -r '.links[] | select(.interface == "t1") | .reserved_kbit' <<<"$rs1")
assert_gt "$kbit" 0 "rs1: reserved_kbit on t1"
info "rs1: t1 reserved $kbit kbit, $(jq '.counters.resv_accepted' <<<"$rs1")" \
    "reservations accepted, $(jq '.counters.answers_sent' <<<"$rs1") answers sent"

# --- the packets to the members carry an SRH [A, U]
pcap=$TEST_TMP/rc.pcap
on rc api_code POST "/api/v1/captures/$cap/stop" >/dev/null
on rc api_get_to "$pcap" "/api/v1/captures/$cap/pcap"
srh=$(tshark -r "$pcap" -Y 'ipv6.routing.type == 4' -T fields \
    -e ipv6.dst 2>/dev/null | sort | uniq -c | awk '{ print $2 "x" $1 }' |
    paste -sd ' ')
[ -n "$srh" ] || fail "no packet with an SRH in rc's capture:"$'\n'"$(tshark -r "$pcap" 2>&1 | head)"
for d in $(tshark -r "$pcap" -Y 'ipv6.routing.type == 4' -T fields \
    -e ipv6.dst 2>/dev/null | sort -u); do
	assert_match "^(${UNI[m1]}|${UNI[m2]}|${UNI[m3]}|${UNI[m4]})$" "$d" \
	    "destination of a packet with an SRH"
done
info "packets with an SRH sent by rc, by destination: $srh"

# --- the E-BB's messages at rc, as the dissector reads them
epcap=$TEST_TMP/rc-ebb.pcap
key=$(jq -r '.routers[0].ebb.keys[0].key' "$SITES_TOPOLOGY")
on rc api_code POST "/api/v1/captures/$ecap/stop" >/dev/null
on rc api_get_to "$epcap" "/api/v1/captures/$ecap/pcap"
types=$(tshark -X lua_script:"$LAB_REPO/tools/wireshark/ebb.lua" \
    -o "ebb.keys:1=$key" -r "$epcap" -Y 'ebb.tag_ok == 1' -T fields \
    -e ebb.type 2>/dev/null | sort -n | uniq -c |
    awk '{ n[$2] = $1 } END { printf "DISCOVER %d, ANSWER %d, RESERVE %d, ACK %d, NAK %d", n[1], n[2], n[3], n[4], n[5] }')
bad=$(tshark -X lua_script:"$LAB_REPO/tools/wireshark/ebb.lua" \
    -o "ebb.keys:1=$key" -r "$epcap" -Y 'ebb && !(ebb.tag_ok == 1)' \
    2>/dev/null | wc -l)
assert_eq 0 "$bad" "E-BB messages whose tag does not verify"
assert_match 'DISCOVER [1-9].*ANSWER [1-9].*RESERVE [1-9].*ACK [1-9]' \
    "$types" "E-BB messages at rc with a valid tag"
info "E-BB messages at rc (tags verified by ebb.lua): $types"
