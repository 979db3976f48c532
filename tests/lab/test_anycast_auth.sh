#!/usr/bin/env bash
#
# Membership security (paper 1 §3.1, §3.6): joins are authenticated,
# replays are refused, and a member that leaves is gone at once.
#
#   m1: anycast-member -k 1:WRONGKEY -a 2001:db8:21::66  ──┐
#       anycast-member -k 9:KEY      -a 2001:db8:21::67  ──┼── vrouter
#       tcpdump (a JOIN) ... scapy sendp (the same JOIN) ──┘   group A
#
# 1. An agent with a wrong key and one with a key id the router does not
#    have: each logs the router's refusal (bad_tag, unknown_key), the
#    group's auth_failures counters grow, neither address is a member.
# 2. m1's agent restarted while tcpdump captures on m1's eth0: the
#    captured JOIN, sent again byte for byte with scapy, is refused as a
#    replay (auth_failures.replay grows) and m1 stays up.
# 3. SIGTERM to m1's agent: m1 leaves the API's member list, the anycast
#    address leaves m1's lo, and requests no longer reach m1.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"
anycast_start

AGENT=$(readlink "/proc/$(agent_pid m1)/exe") ||
    fail "m1's anycast-member is not running"
KEY=$(jq -r '.router.groups[0].keys[0].key' "$ANY_TOPOLOGY")
listed() {
	members_json | jq -e --arg a "$1" 'any(.members[]; .address == $a)' \
	    >/dev/null
}

# ---------------------------------------------------------------------
# 1. wrong key, unknown key id

bad_tag0=$(group_counter .auth_failures.bad_tag)
unknown0=$(group_counter .auth_failures.unknown_key)
joins0=$(group_counter .joins)
wrong=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
[ "$wrong" != "$KEY" ] || fail "the random key is the group's key"

bad_pids=()
# start_bad ADDRESS KEYID:KEY LOG: an agent that must be refused.  It
# keeps the anycast address on lo, which belongs to m1's own agent.
start_bad() {
	m1 ip -6 addr add "$1/64" dev eth0 nodad
	ip netns exec m1 "$AGENT" -g "$ANY" -k "$2" -a "$1" -p 80 \
	    --keep-address </dev/null >"$3" 2>&1 &
	bad_pids+=($!)
}
stop_bad() { kill "${bad_pids[@]}" 2>/dev/null; }
at_exit stop_bad
start_bad 2001:db8:21::66 "1:$wrong" "$TEST_TMP/bad-tag.log"
start_bad 2001:db8:21::67 "9:$KEY" "$TEST_TMP/unknown-key.log"

logged() { grep -q "$2" "$1"; }
wait_for logged "$TEST_TMP/bad-tag.log" 'reject.*bad_tag' ||
    fail "the agent with a wrong key does not log a bad_tag refusal:"$'\n'"$(cat "$TEST_TMP/bad-tag.log")"
wait_for logged "$TEST_TMP/unknown-key.log" 'reject.*unknown_key' ||
    fail "the agent with key id 9 does not log an unknown_key refusal:"$'\n'"$(cat "$TEST_TMP/unknown-key.log")"
info "wrong key:      $(grep -m1 'reject' "$TEST_TMP/bad-tag.log")"
info "unknown key id: $(grep -m1 'reject' "$TEST_TMP/unknown-key.log")"

grows() { [ "$(group_counter "$1")" -gt "$2" ]; }
wait_for grows .auth_failures.bad_tag "$bad_tag0" ||
    fail "auth_failures.bad_tag stays at $bad_tag0"
wait_for grows .auth_failures.unknown_key "$unknown0" ||
    fail "auth_failures.unknown_key stays at $unknown0"
info "auth_failures: bad_tag $bad_tag0 -> $(group_counter .auth_failures.bad_tag)," \
    "unknown_key $unknown0 -> $(group_counter .auth_failures.unknown_key)"
for a in 2001:db8:21::66 2001:db8:21::67; do
	! listed "$a" || fail "$a is a member despite its key"
done
assert_eq "$joins0" "$(group_counter .joins)" "joins counted"
for p in "${bad_pids[@]}"; do
	kill -0 "$p" 2>/dev/null || fail "a refused agent exited"
done
stop_bad
for p in "${bad_pids[@]}"; do
	wait_for proc_gone "$p" || fail "a refused agent ignores SIGTERM"
done
lo_has_any m1 || fail "the refused agents took $ANY off m1's lo"
info "members: $(states_line)"

# ---------------------------------------------------------------------
# 2. a replayed JOIN

pcap=$TEST_TMP/join.pcap
ip netns exec m1 tcpdump -i eth0 -n -U -w "$pcap" \
    'icmp6 and ip6[40] == 200 and ip6[45] == 1' \
    </dev/null >/dev/null 2>"$TEST_TMP/tcpdump.err" &
tcpdump=$!
stop_tcpdump() { kill "$tcpdump" 2>/dev/null; }
at_exit stop_tcpdump
wait_for logged "$TEST_TMP/tcpdump.err" 'listening on' ||
    fail "tcpdump does not start: $(cat "$TEST_TMP/tcpdump.err")"

old=$(agent_pid m1)
mapfile -d '' argv <"/proc/$old/cmdline"
kill -TERM "$old"
wait_for proc_gone "$old" || fail "m1's agent ignores SIGTERM"
ip netns exec m1 "${argv[@]}" </dev/null \
    >>"$LAB_STATE/hosts/m1/member.log" 2>&1 &
echo $! >"$LAB_STATE/hosts/m1/member.pid"
wait_for member_in_state m1 up ||
    fail "m1 is not up again after its agent restarted: $(states_line)"

joins_captured() {
	[ "$(tshark -r "$pcap" 2>/dev/null | wc -l)" -ge 1 ]
}
wait_for joins_captured || fail "tcpdump captured no JOIN from m1"
kill -INT "$tcpdump"
wait "$tcpdump" 2>/dev/null || true
# Decoded by the project's dissector when it is there, for the log only:
# test_dissector.sh asserts what the dissector decodes.
lua=$LAB_REPO/tools/wireshark/anycast-member.lua
dissect=()
[ ! -r "$lua" ] || dissect=(-X "lua_script:$lua")
info "captured: $(tshark "${dissect[@]}" -r "$pcap" 2>/dev/null | head -1 |
    sed 's/^ *//')"

replay0=$(group_counter .auth_failures.replay)
m1 /usr/bin/python3 - "$pcap" <<'EOF' || fail "scapy could not send the JOIN"
import sys
from scapy.all import rdpcap, sendp
frame = rdpcap(sys.argv[1])[0]
sendp(frame, iface="eth0", verbose=False)
EOF
wait_for grows .auth_failures.replay "$replay0" ||
    fail "the replayed JOIN is not counted: auth_failures.replay stays at $replay0"
info "replayed JOIN refused: auth_failures.replay $replay0 -> $(group_counter .auth_failures.replay)"
assert_eq 1 "$(members_json | jq --arg a "${UNI[m1]}" \
    '[.members[] | select(.address == $a)] | length')" "entries for m1"
member_in_state m1 up || fail "m1 is $(member_state m1) after the replay"

# ---------------------------------------------------------------------
# 3. leaving

pid=$(agent_pid m1)
t0=$(now_ms)
kill -TERM "$pid"
wait_for member_absent m1 ||
    fail "m1 is still listed after SIGTERM to its agent: $(states_line)"
ms=$(( $(now_ms) - t0 ))
wait_for proc_gone "$pid" || fail "m1's agent does not exit"
wait_for lo_lacks_any m1 || fail "$ANY is still on m1's lo"
info "m1 left ${ms} ms after SIGTERM; $ANY is off its lo; members: $(states_line)"
requests c1 30
info "30 requests: $REQ_OK answered ($(req_line)), $REQ_FAILED failed"
assert_eq 0 "$REQ_FAILED" "failed requests after m1 left"
assert_eq 0 "${REQ_COUNT[m1]}" "requests answered by m1 after it left"
