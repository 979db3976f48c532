#!/usr/bin/env bash
#
# The Wireshark dissector (tools/wireshark/anycast-member.lua) on the
# membership traffic of real agents, captured by the router.
#
#   m1: anycast-member -a 2001:db8:21::68 (agent D) ──┐
#       anycast-member -k 1:WRONGKEY -a ...::66     ──┼── vrouter, group A
#       (m1's own agent, 2001:db8:21::10)           ──┘   capture on m1
#
# 1. POST /api/v1/captures: the ICMPv6 type 200 messages on m1.
# 2. Agent D joins with its own capacity, weight, bandwidth and a health
#    command; a TCP connection from D's address to [A]:80 opens and
#    closes (SESSION start and end); the health command fails for a
#    while (REPORT health 0); the API's view of D is recorded each time.
#    An agent with a wrong key is refused (REJECT bad tag).  SIGTERM to
#    D: LEAVE, LEAVE_ACK, ANNOUNCE with the withdraw flag.
# 3. tshark with the dissector decodes the capture, and
#    dissector_check.py asserts every message and field: type names,
#    version, key id, group, member, flags, TLV types and values against
#    D's options and the API, the tag (length, check under the key or the
#    all-zero key), sequence numbers, and no malformed mark anywhere.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"

if ! command -v tshark >/dev/null; then
	info "SKIP: tshark is not installed (tests/deps.sh installs it)"
	exit 0
fi
anycast_start

AGENT=$(readlink "/proc/$(agent_pid m1)/exe") ||
    fail "m1's anycast-member is not running"
KEY=$(jq -r '.router.groups[0].keys[0].key' "$ANY_TOPOLOGY")
KEY_ID=$(jq -r '.router.groups[0].keys[0].id' "$ANY_TOPOLOGY")
U=2001:db8:21::68
BAD=2001:db8:21::66
CAPACITY=50
WEIGHT=7
BANDWIDTH=123
group=$(api GET "/api/v1/groups/$ANY")
REPORT_MS=$(jq -r .report_ms <<<"$group")
MISSES=$(jq -r .misses <<<"$group")

# A field of D's entry in the API, or "absent" (false stays false).
d_field() {
	members_json | jq -r --arg a "$U" --arg f "$1" \
	    '[.members[] | select(.address == $a) | .[$f]]
	    | if length == 0 then "absent" else .[0] | tostring end'
}
d_is() { [ "$(d_field "$1")" = "$2" ]; }
# snapshot WHEN: D's entry in the API, for dissector_check.py.
snapshot() {
	members_json | jq -c --arg a "$U" --arg w "$1" \
	    '.members[] | select(.address == $a) | . + {when: $w}' \
	    >>"$TEST_TMP/api.jsonl"
}
logged() { grep -q "$2" "$1"; }

# ---------------------------------------------------------------------
# 1. the capture

code=$(api_code POST /api/v1/captures \
    '{"interface": "m1", "direction": "both", "filter": "icmp6 and ip6[40] == 200"}')
assert_eq 201 "$code" "POST /api/v1/captures: $(cat "$TEST_TMP/api-body")"
id=$(jq -r '.id // empty' "$TEST_TMP/api-body")
[[ $id =~ ^[0-9]+$ ]] || fail "no capture id in $(cat "$TEST_TMP/api-body")"

# ---------------------------------------------------------------------
# 2. agent D, and an agent with a wrong key

pids=()
stop_agents() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null; }
at_exit stop_agents
# start_agent ADDRESS KEYID:KEY LOG ARGS...: an agent in m1 beside m1's
# own, which keeps the anycast address on lo.
start_agent() {
	local addr=$1 key=$2 log=$3
	shift 3
	m1 ip -6 addr add "$addr/64" dev eth0 nodad
	: >"$log"
	ip netns exec m1 "$AGENT" -g "$ANY" -k "$key" -a "$addr" -p 80 \
	    --keep-address -d "$@" </dev/null >"$log" 2>&1 &
	pids+=($!)
}

down=$TEST_TMP/health-down
start_agent "$U" "$KEY_ID:$KEY" "$TEST_TMP/d.log" \
    --capacity "$CAPACITY" --weight "$WEIGHT" --bandwidth "$BANDWIDTH" \
    --interval "$REPORT_MS" --health-cmd "test ! -e $down"
d_pid=${pids[-1]}
wait_for d_is state up ||
    fail "D ($U) is not up: $(d_field state);"$'\n'"$(cat "$TEST_TMP/d.log")"
snapshot joined

# One session: a connection from D's address to [A]:80, held open.
ip netns exec m1 /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind((sys.argv[1], 0))
s.connect((sys.argv[2], 80))
time.sleep(60)' "$U" "$ANY" </dev/null >"$TEST_TMP/conn.log" 2>&1 &
conn=$!
pids+=("$conn")
wait_for d_is sessions 1 ||
    fail "the API shows $(d_field sessions) sessions for D, not 1"
load=$(( 100 / CAPACITY ))
wait_for d_is load_pct "$load" ||
    fail "the API shows load $(d_field load_pct) % for D, not $load %"
snapshot "one session"
kill "$conn"
wait_for d_is sessions 0 ||
    fail "the API shows $(d_field sessions) sessions for D, not 0"
wait_for d_is load_pct 0 ||
    fail "the API shows load $(d_field load_pct) % for D, not 0 %"
snapshot "session ended"

touch "$down"
wait_for d_is health false || fail "D's failing health check is not seen"
assert_eq "down health" "$(d_field state) $(d_field down_reason)" \
    "D's state while its health check fails"
snapshot "health down"
rm -f "$down"
wait_for d_is health true || fail "D's health is not seen again"
wait_for d_is state up || fail "D is $(d_field state) after its health came back"
snapshot "health up"

wrong=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
[ "$wrong" != "$KEY" ] || fail "the random key is the group's key"
start_agent "$BAD" "$KEY_ID:$wrong" "$TEST_TMP/bad.log"
wait_for logged "$TEST_TMP/bad.log" 'reject.*bad_tag' ||
    fail "the agent with a wrong key logs no bad_tag refusal:"$'\n'"$(cat "$TEST_TMP/bad.log")"
kill "${pids[-1]}"

kill -TERM "$d_pid"
wait_for proc_gone "$d_pid" || fail "D ignores SIGTERM"
wait_for d_is state absent || fail "D is still listed after it left"
logged "$TEST_TMP/d.log" 'sent announce' ||
    fail "D logged no ANNOUNCE:"$'\n'"$(cat "$TEST_TMP/d.log")"

# ---------------------------------------------------------------------
# 3. the capture, decoded

pcap=$TEST_TMP/member.pcap
# Both ANNOUNCEs of D are in (plain tshark, not the dissector under test).
announces() {
	api_get_to "$pcap" "/api/v1/captures/$id/pcap"
	[ "$(tshark -r "$pcap" -Y "ipv6.src == $U && ipv6.dst == ff02::1" \
	    2>/dev/null | wc -l)" -ge 2 ]
}
wait_for announces || fail "the capture lacks D's two ANNOUNCEs"
code=$(api_code POST "/api/v1/captures/$id/stop")
assert_eq 200 "$code" "POST /api/v1/captures/$id/stop"
api_get_to "$pcap" "/api/v1/captures/$id/pcap"
info "capture: $(tshark -r "$pcap" 2>/dev/null | wc -l) frames"

jq -n --arg group "$ANY" --argjson key_id "$KEY_ID" --arg key "$KEY" \
    --arg member "$U" --arg bad "$BAD" --argjson capacity "$CAPACITY" \
    --argjson weight "$WEIGHT" --argjson bandwidth "$BANDWIDTH" \
    --argjson report_ms "$REPORT_MS" --argjson misses "$MISSES" \
    --slurpfile api "$TEST_TMP/api.jsonl" \
    '{group: $group, key_id: $key_id, key: $key, member: $member,
      bad_member: $bad, capacity: $capacity, weight: $weight,
      bandwidth: $bandwidth, interval: $report_ms, report_ms: $report_ms,
      misses: $misses, api: $api}' >"$TEST_TMP/expect.json"
out=$(/usr/bin/python3 "$LAB_REPO/tests/lab/dissector_check.py" "$pcap" \
    "$TEST_TMP/expect.json" 2>&1) ||
    fail "the dissector's decoding of the capture:"$'\n'"$out"
while read -r line; do info "$line"; done <<<"$out"
