#!/usr/bin/env bash
#
# Captures through the REST API see a forwarded packet on both sides.
#
#   c1 2001:db8:1::10 ──rx── vrouter ──tx── s1 2001:db8:11::10
#                     POST /api/v1/captures (all interfaces, both ways)
#
# One echo request of a recognisable size (333 bytes of data) from c1 to
# s1 appears twice in the pcap: received on c1 with hop limit 64, sent on
# s1 with hop limit 63.  Starting a capture needs the bearer token.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_start

# Resolve neighbours first so the capture holds just this exchange.
ping_ok c1 2001:db8:11::10 1

code=$(API_AUTH=no api_code POST /api/v1/captures \
    '{"direction": "both", "filter": "icmp6"}')
assert_eq 401 "$code" "POST /api/v1/captures without a token"
code=$(API_TOKEN=wrong-token api_code POST /api/v1/captures \
    '{"direction": "both", "filter": "icmp6"}')
assert_eq 401 "$code" "POST /api/v1/captures with a wrong token"

code=$(api_code POST /api/v1/captures '{"direction": "both", "filter": "icmp6"}')
assert_eq 201 "$code" "POST /api/v1/captures: $(cat "$TEST_TMP/api-body")"
id=$(jq -r '.id // empty' "$TEST_TMP/api-body")
[[ $id =~ ^[0-9]+$ ]] || fail "no capture id in $(cat "$TEST_TMP/api-body")"
info "capture $id started"

api GET /api/v1/captures | jq -e --argjson id "$id" \
    '[(.captures // .)[] | select(.id == $id)] | length == 1' >/dev/null ||
    fail "capture $id is not listed by GET /api/v1/captures"

ping_ok c1 2001:db8:11::10 1
c1 ping -6 -c 1 -s 333 -W 2 2001:db8:11::10 >/dev/null ||
    fail "c1 cannot ping s1 with 333 bytes of data"

# Echo requests with 333 bytes of data: an IPv6 payload of 341 bytes.
pcap=$TEST_TMP/capture.pcap
hlims() {
	api_get_to "$pcap" "/api/v1/captures/$id/pcap"
	tshark -r "$pcap" -Y 'icmpv6.type == 128 && ipv6.plen == 341' \
	    -T fields -e ipv6.hlim 2>/dev/null | sort -n | tr '\n' ' '
}
two_seen() { [ "$(hlims | wc -w)" -ge 2 ]; }
wait_for two_seen || fail "capture $id does not show the echo request twice;" \
    "hop limits seen: '$(hlims)';"$'\n'"$(tshark -r "$pcap" 2>&1 | tail -20)"
assert_eq "63 64 " "$(hlims)" "hop limits of the captured echo request"
info "echo request captured with hop limits $(hlims)"

code=$(api_code DELETE "/api/v1/captures/$id")
case $code in 2??) ;; *) fail "DELETE /api/v1/captures/$id: HTTP $code" ;; esac
api GET /api/v1/captures | jq -e --argjson id "$id" \
    '[(.captures // .)[] | select(.id == $id)] | length == 0' >/dev/null ||
    fail "capture $id still listed after DELETE"
code=$(api_code GET "/api/v1/captures/$id/pcap")
assert_eq 404 "$code" "GET the pcap of a deleted capture"
