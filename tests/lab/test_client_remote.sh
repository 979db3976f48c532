#!/usr/bin/env bash
#
# rh_mode "srh" for a member that is not on the router's link, with and
# without the client shim (DESIGN.md §3.1, §3.2).
#
#   c1 2001:db8:1::10 ── vrouter ── kr (Linux, forwarding) ── m4 2001:db8:31::10
#   anycast-client       A = 2001:db8:ac::1   2001:db8:30::2   A on lo, seg6_enabled,
#                        static member m4,                     nginx on [A]:80
#                        route 2001:db8:31::/64 via kr
#
# With the shim: c1 downloads 4 MiB from A; the router sends the flow to
# m4 as dst U with an SRH [A, U] through kr, m4's kernel delivers it to
# A; after the first reply c1's own packets go to U with an SRH [A, U].
# Without the shim (SIGTERM): the same download crosses the router alone.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
need_seg6_lwt
ANY=2001:db8:ac::1
U=2001:db8:31::10
C1=2001:db8:1::10
SHIM=$(dirname "${VROUTER:-$LAB_REPO/build/vrouter}")/anycast-client
DIR=$LAB_STATE/hosts/c1
lab_start "$LAB_REPO/netns/topologies/anycast-remote.json"

member_up() {
	api GET "/api/v1/groups/$ANY/members" |
	    jq -e --arg u "$U" 'any(.members[]; .address == $u and .state == "up")' \
	    >/dev/null
}
wait_for member_up || fail "m4 is not up: $(api GET "/api/v1/groups/$ANY/members")"
assert_eq srh "$(api GET "/api/v1/groups/$ANY" | jq -r .rh_mode)" "rh_mode"

code=$(api_code POST /api/v1/captures \
    "{\"interface\": \"c1\", \"direction\": \"rx\", \"filter\": \"ip6 src host $C1\"}")
assert_eq 201 "$code" "POST /api/v1/captures: $(cat "$TEST_TMP/api-body")"
cap=$(jq -r .id "$TEST_TMP/api-body")

get4m() {
	c1 curl -gsS -m 10 -r 0-4194303 -o /dev/null \
	    -w '%{http_code} %{size_download} %{local_port}' "http://[$ANY]/big"
}

out=$(get4m) || fail "with the shim: $out"
assert_eq "206 4194304" "${out% *}" "with the shim: status and bytes"
with=${out##* }
learned=$(c1 "$SHIM" -s -j -S "$DIR/client.sock" | jq -r .counters.learned)
assert_eq 1 "$learned" "connections the shim learnt"

pid=$(cat "$DIR/client.pid")
kill -TERM "$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for gone || fail "the shim does not exit"
out=$(get4m) || fail "without the shim: $out"
assert_eq "206 4194304" "${out% *}" "without the shim: status and bytes"
without=${out##* }

pcap=$TEST_TMP/c1.pcap
api_code POST "/api/v1/captures/$cap/stop" >/dev/null
api_get_to "$pcap" "/api/v1/captures/$cap/pcap"
api_code DELETE "/api/v1/captures/$cap" >/dev/null
pkts() {
	tshark -r "$pcap" -Y "tcp.srcport == $1" -T fields -E separator=' ' \
	    -e ipv6.dst -e ipv6.routing.type -e ipv6.routing.srh.addr \
	    2>/dev/null
}
pkts "$with" >"$TEST_TMP/with.txt"
total=$(wc -l <"$TEST_TMP/with.txt")
to_a=$(awk -v a="$ANY" '$1 == a && NF == 1' "$TEST_TMP/with.txt" | wc -l)
direct=$(grep -c "^$U 4 $ANY,$U\$" "$TEST_TMP/with.txt" || true)
assert_eq "$total" "$((to_a + direct))" "with the shim: packets to A or to U with SRH [A, U]"
a_then_u "$ANY" "$TEST_TMP/with.txt" ||
    fail "with the shim: a packet to A after the direct path began"
info "with the shim: $total packets from c1, $to_a to A, $direct to $U with SRH [A, U]"
pkts "$without" >"$TEST_TMP/without.txt"
total=$(wc -l <"$TEST_TMP/without.txt")
to_a=$(awk -v a="$ANY" '$1 == a && NF == 1' "$TEST_TMP/without.txt" | wc -l)
assert_eq "$total" "$to_a" "without the shim: packets to A"
info "without the shim: $total packets from c1, all to A; m4 answered through kr"
