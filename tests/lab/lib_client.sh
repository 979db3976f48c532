#!/usr/bin/env bash
#
# tests/lab/lib_client.sh: shared by the client shim's lab tests
# (tests/lab/test_client_*.sh).  Sources lib_anycast.sh with the
# "anycast-shim" topology (netns/topologies/anycast-shim.json): the
# anycast lab with anycast-client in c1.
#
#   netns c1 2001:db8:1::10 ──┐                        ┌── m1 2001:db8:21::10
#   anycast-client            ├──── vrouter, A = ──────┼── m2 2001:db8:22::10
#   netns c2 2001:db8:2::10 ──┘    2001:db8:ac::1      └── m3 2001:db8:23::10
#
# Gives: $SHIM (the binary), $C1, shim_status (the JSON status),
# shim_field JQ, shim_count_is N, c1_capture_start FILTER DIRECTION (a
# capture on the router's c1 interface, deleted at exit) and
# c1_capture_get (stop it, download it to $C1_PCAP), and c1_sent PORT
# (one line per packet c1 sent from PORT: destination, routing type,
# SRH addresses, TCP flags).

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
# shellcheck disable=SC2034  # used by anycast_start
ANY_TOPOLOGY=$LAB_REPO/netns/topologies/anycast-shim.json
C1=2001:db8:1::10
SHIM=$(dirname "${VROUTER:-$LAB_REPO/build/vrouter}")/anycast-client
SHIM_DIR=$LAB_STATE/hosts/c1
C1_PCAP=$TEST_TMP/c1.pcap

shim_status() { h c1 "$SHIM" -s -j -S "$SHIM_DIR/client.sock" 2>/dev/null; }
shim_field() { shim_status | jq -r "$1"; }
shim_count_is() { [ "$(shim_field .count)" = "$1" ]; }

C1_CAPTURE=""
c1_capture_start() {
	local code
	code=$(api_code POST /api/v1/captures \
	    "{\"interface\": \"c1\", \"direction\": \"$2\", \"filter\": \"$1\"}")
	assert_eq 201 "$code" "POST /api/v1/captures: $(cat "$TEST_TMP/api-body")"
	C1_CAPTURE=$(jq -r .id "$TEST_TMP/api-body")
	at_exit c1_capture_delete
}
c1_capture_delete() {
	[ -z "$C1_CAPTURE" ] ||
	    api_code DELETE "/api/v1/captures/$C1_CAPTURE" >/dev/null
}
c1_capture_get() {
	api_code POST "/api/v1/captures/$C1_CAPTURE/stop" >/dev/null
	api_get_to "$C1_PCAP" "/api/v1/captures/$C1_CAPTURE/pcap"
}

c1_sent() {
	tshark -r "$C1_PCAP" -Y "tcp.srcport == $1" -T fields -E separator=' ' \
	    -e ipv6.dst -e ipv6.routing.type -e ipv6.routing.srh.addr \
	    -e tcp.flags.str 2>/dev/null
}
