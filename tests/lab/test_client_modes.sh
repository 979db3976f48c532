#!/usr/bin/env bash
#
# Every routing-header mode against real kernels, with and without the
# client shim (DESIGN.md §3.1, §3.2).
#
#   c1 (anycast-client) ──┐                 ┌── m1, m2, m3: Linux kernels,
#                         ├── vrouter ──────┤   nginx on [A]:80
#   c2 (plain client) ────┘  rh_mode        └── (seg6_enabled by the agent)
#                            exp | rh0 | srh (PATCH /api/v1/groups/A)
#
# For each mode: c2 downloads 4 MiB from A through the router alone; c1
# downloads 4 MiB from A, the shim learns the member from the first
# reply, and every later packet c1 sends on that connection goes to the
# member with an SRH [A, U] (capture on the router's c1 interface, where
# the SYN-ACK shows the routing type of the mode: 253, 0, 253).

# shellcheck source=tests/lab/lib_client.sh
. "$(dirname "$0")/lib_client.sh"
need_seg6_lwt
anycast_start

learned() { shim_field .counters.learned; }

c1_capture_start "ip6 host $C1" both

get4m() {
	h "$1" curl -gsS -m 10 -r 0-4194303 -o /dev/null \
	    -w '%{http_code} %{size_download} %{local_port}' "http://[$ANY]/big"
}

declare -A PORT
declare -A RH_TYPE=([exp]=253 [rh0]=0 [srh]=253)	# towards the client
for mode in exp rh0 srh; do
	code=$(api_code PATCH "/api/v1/groups/$ANY" "{\"rh_mode\": \"$mode\"}")
	assert_eq 200 "$code" "PATCH rh_mode $mode: $(cat "$TEST_TMP/api-body")"
	assert_eq "$mode" "$(api GET "/api/v1/groups/$ANY" | jq -r .rh_mode)" \
	    "rh_mode"
	out=$(get4m c2) || fail "$mode, c2 (no shim): $out"
	assert_eq "206 4194304" "${out% *}" "$mode, c2 (no shim): status and bytes"
	before=$(learned)
	out=$(get4m c1) || fail "$mode, c1 (shim): $out"
	assert_eq "206 4194304" "${out% *}" "$mode, c1 (shim): status and bytes"
	PORT[$mode]=${out##* }
	assert_eq $((before + 1)) "$(learned)" "$mode: connections the shim learnt"
	info "$mode: c2 without the shim and c1 with it each downloaded 4 MiB"
done

c1_capture_get
for mode in exp rh0 srh; do
	synack=$(tshark -r "$C1_PCAP" -Y "tcp.dstport == ${PORT[$mode]} &&
	    tcp.flags.syn == 1 && tcp.flags.ack == 1" -T fields \
	    -e ipv6.src -e ipv6.routing.type -e ipv6.routing.segleft \
	    -E separator=' ' 2>/dev/null | head -1)
	assert_eq "$ANY ${RH_TYPE[$mode]} 0" "$synack" \
	    "$mode: SYN-ACK to c1 (source, routing type, segments left)"
	c1_sent "${PORT[$mode]}" | awk '{print $1, $2, $3}' >"$TEST_TMP/$mode.txt"
	total=$(wc -l <"$TEST_TMP/$mode.txt")
	to_a=$(grep -c "^$ANY" "$TEST_TMP/$mode.txt" || true)
	U=$(awk -v a="$ANY" '$1 != a {print $1; exit}' "$TEST_TMP/$mode.txt")
	[[ " ${UNI[*]} " == *" $U "* ]] ||
	    fail "$mode: c1 sent to '$U', not a member"
	direct=$(grep -c "^$U 4 $ANY,$U\$" "$TEST_TMP/$mode.txt" || true)
	assert_eq "$total" "$((to_a + direct))" "$mode: packets to A or to U with SRH [A, U]"
	a_then_u "$ANY" "$TEST_TMP/$mode.txt" ||
	    fail "$mode: a packet to A after the direct path began:"$'\n'"$(cat "$TEST_TMP/$mode.txt")"
	info "$mode: SYN-ACK to c1 from A with routing type ${RH_TYPE[$mode]};" \
	    "c1's connection: $total packets, $to_a to A, $direct to $U with SRH [A, U]"
done
