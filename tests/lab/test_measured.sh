#!/usr/bin/env bash
#
# Paper 2's score inputs measured, and its two ratio profiles switched
# by the measured utilisation (netns/topologies/measured.json):
#
#   c1 ── iperf3 (UDP 30 Mbit/s) ──┐             ┌── m1  duty.py 10 %  cpu_max 20000 100000
#                                  ├── vrouter ──┤       (link m1: rate 20 Mbit/s out)
#                                  │             └── m2  duty.py 10 %  cpu_max 50000 100000
#                                    A = 2001:db8:ac::1, score policy,
#                                    profiles: congested above 80 %,
#                                    normal below 60 %, hold 2 s
#
# 1. m1 and m2 do the same CPU work, a fifth and a half of a CPU
#    allowed: their agents (--cgroup) report loads near 50 and 20, and
#    the router's API shows them as reported inputs, m1's clearly higher.
#    Four static members given paper 2's Table 2 inputs through the API
#    score 34, 43, 64 and 41.
# 2. m1's link is limited to 20 Mbit/s (PATCH /api/v1/interfaces/m1)
#    and loaded by iperf3 from c1: m1's measured residual bandwidth in
#    its score inputs falls well below m2's.
# 3. Meanwhile the link's utilisation is above 80 %: the group switches
#    to the congested profile (API, /metrics); once iperf3 stops it
#    switches back to normal below 60 % after the hold.  The figures are
#    printed; they are ratios of one run on a shared machine.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=netns/lab_cgroup.sh
. "$LAB_REPO/netns/lab_cgroup.sh"
[ -n "$(cg_mode)" ] || { info "SKIP: no cgroup cpu controller"; exit 77; }
command -v iperf3 >/dev/null || { info "SKIP: no iperf3"; exit 77; }

ANY=2001:db8:ac::1
M1=2001:db8:21::10
M2=2001:db8:22::10
lab_start "$LAB_REPO/netns/topologies/measured.json"

group() { api GET "/api/v1/groups/$ANY"; }
# input MEMBER KEY: the raw score input KEY (hops, load_pct,
# bandwidth_mbps) of a member, "value source".
input() {
	group | jq -r --arg m "$1" --arg k "$2" '.members[]
	    | select(.address == $m) | .inputs[$k] | "\(.value) \(.source)"'
}
profile_is() { [ "$(group | jq -r '.profiles.active')" = "$1" ]; }

# --- 1. loads from the members' own cgroups
loads_apart() {
	local a b
	read -r a _ <<<"$(input "$M1" load_pct)"
	read -r b _ <<<"$(input "$M2" load_pct)"
	[ "$b" -gt 0 ] && [ "$a" -ge $((b * 3 / 2)) ] && [ "$a" -ge 30 ]
}
wait_for -t 20 loads_apart ||
    fail "loads not apart: m1 $(input "$M1" load_pct), m2 $(input "$M2" load_pct)"
l1=$(input "$M1" load_pct)
l2=$(input "$M2" load_pct)
assert_match ' reported$' "$l1" "m1's load source"
info "same work (10 % of a CPU) under cpu_max 20000/100000 and 50000/100000: loads m1 ${l1%% *} %, m2 ${l2%% *} % (reported)"
assert_match '^1 measured$' "$(input "$M1" hops)" "m1's hops"

# --- Table 2 of paper 2 through the live API: four static members given
# its inputs (the load set by PATCH) score 34, 43, 64, 41 under the
# normal profile's 30:60:10.
T2=("2 90 20 34" "2 80 50 43" "3 35 40 64" "2 80 30 41")
for i in 0 1 2 3; do
	read -r hops load bw _ <<<"${T2[$i]}"
	api POST "/api/v1/groups/$ANY/members" "{\"address\":
	    \"2001:db8:22::3$i\", \"interface\": \"m2\", \"hops\": $hops,
	    \"bandwidth\": $bw}" >/dev/null
	api PATCH "/api/v1/groups/$ANY/members/2001:db8:22::3$i" \
	    "{\"load\": $load}" >/dev/null
done
scores=$(group | jq -r '[.members[] | select(.address |
    startswith("2001:db8:22::3")) | .score.score] | join(" ")')
assert_eq "34 43 64 41" "$scores" "Table 2 scores"
assert_eq 409 "$(api_code PATCH "/api/v1/groups/$ANY/members/$M1" \
    '{"load": 5}')" "PATCH load of a joined member"
info "Table 2 through the API: scores $scores"
for i in 0 1 2 3; do
	api DELETE "/api/v1/groups/$ANY/members/2001:db8:22::3$i" >/dev/null
done

# --- 2. residual bandwidth of a loaded link
api PATCH /api/v1/interfaces/m1 \
    '{"emulation": {"out": {"rate_mbit": 20}}}' >/dev/null
read -r bw_idle src <<<"$(input "$M1" bandwidth_mbps)"
assert_eq measured "$src" "m1's bandwidth source"
info "m1's link at 20 Mbit/s, idle: residual $bw_idle Mbit/s"
h m1 iperf3 -s -1 -B "$M1" >"$TEST_TMP/iperf3-s.log" 2>&1 &
iperf3_listens() { [ -n "$(h m1 ss -Hltn 'sport = :5201')" ]; }
wait_for iperf3_listens || fail "iperf3 server did not start"
t_load=$(date +%s%N)
c1 iperf3 -6 -c "$M1" -u -b 30M -l 1400 -t 10 >"$TEST_TMP/iperf3.log" 2>&1 &
IPERF=$!

residual_low() {
	local a b
	read -r a _ <<<"$(input "$M1" bandwidth_mbps)"
	read -r b _ <<<"$(input "$M2" bandwidth_mbps)"
	[ "$a" -le $((bw_idle / 4)) ] && [ "$a" -lt "$b" ]
}
wait_for -t 8 residual_low ||
    fail "m1's residual did not fall: $(input "$M1" bandwidth_mbps), m2 $(input "$M2" bandwidth_mbps)"
g=$(group)
info "under iperf3: residual m1 $(jq -r --arg m "$M1" '.members[] | select(.address == $m) | .inputs.bandwidth_mbps.value' <<<"$g") Mbit/s, m2 $(jq -r --arg m "$M2" '.members[] | select(.address == $m) | .inputs.bandwidth_mbps.value' <<<"$g") Mbit/s; utilisation $(jq -r .profiles.utilization_pct <<<"$g") %"

# --- 3. the congested profile, and back
wait_for -t 8 profile_is congested ||
    fail "no switch to congested: $(group | jq -c .profiles)"
t_cong=$(date +%s%N)
g=$(group)
assert_eq '{"hop":20,"load":30,"bandwidth":50}' \
    "$(jq -c .profiles.ratios <<<"$g")" "congested ratios"
assert_match "^vrouter_group_profile\{group=\"$ANY\",profile=\"congested\"\} 1$" \
    "$(api GET /metrics)" "/metrics"
info "congested after $(( (t_cong - t_load) / 1000000 )) ms of load at $(jq -r .profiles.utilization_pct <<<"$g") % utilisation; m1 scores $(jq -r --arg m "$M1" '.members[] | select(.address == $m) | .score.score' <<<"$g"), m2 $(jq -r --arg m "$M2" '.members[] | select(.address == $m) | .score.score' <<<"$g")"
wait "$IPERF" || fail "iperf3 failed: $(tail -3 "$TEST_TMP/iperf3.log")"
t_end=$(date +%s%N)
wait_for -t 10 profile_is normal ||
    fail "no switch back to normal: $(group | jq -c .profiles)"
t_norm=$(date +%s%N)
g=$(group)
assert_eq 2 "$(jq -r .profiles.switches <<<"$g")" "profile switches"
assert_match "^vrouter_group_profile_switches_total\{group=\"$ANY\"\} 2$" \
    "$(api GET /metrics)" "/metrics"
info "normal again $(( (t_norm - t_end) / 1000000 )) ms after iperf3 ended, at $(jq -r .profiles.utilization_pct <<<"$g") %; 2 switches"
grep -q "profile congested (ratios 20:30:50)" "$LAB_STATE/vrouter.log" ||
    fail "no log line for the switch"
