#!/usr/bin/env bash
#
# Anycast across sites with RIPng (paper 1 §3.1, paper 2 §7), in the
# "sites" lab (drawing in lib_sites.sh):
#
# 1. RIPng converges: rc routes the group's 2001:db8:ac::1/128 to rs1 over
#    t1 (metric 2) rather than to rs2 over t2 (cost 3); BIRD on t3 learns
#    the /128 and the client prefixes, and the routers learn BIRD's
#    2001:db8:99::/64; c1's requests reach site 1 (m1, m2) only.
# 2. Every member of site 1 dies (everything in m1 and m2 killed with
#    SIGKILL: agent and nginx).  rs1 stops advertising its own group and
#    advertises the route it learned to site 2 instead (metric 2 over t3,
#    poisoned towards t3); rc's route to the /128 goes to metric 3, still
#    over t1, and rs1 sends new flows on to rs2.  The time from the kill to the first request
#    answered at site 2 is measured (target 3 s with the lab's timers);
#    then 40 requests: 0 failed, all at site 2.  BIRD's route to the /128
#    goes through rs2 only.
# 3. m1's nginx and agent start again: the time until c1's requests reach
#    site 1 again is measured; rc routes over t1 again.
# 4. tshark decodes every RIPng packet captured on rc's t1 and rs1's t3
#    as RIPng, with no malformed packet.

# shellcheck source=tests/lab/lib_sites.sh
. "$(dirname "$0")/lib_sites.sh"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# route_to ROUTER PREFIX: "interface metric" of its live RIPng route.
route_to() {
	on "$1" api GET /api/v1/ripng | jq -r --arg p "$2" \
	    '.routes[] | select(.prefix == $p and .state == "live")
	     | "\(.interface) \(.metric)"'
}
route_is() { [ "$(route_to "$1" "$2")" = "$3" ]; }

# ask HOST: one request for /name at the anycast address; the member's
# name, or nothing when it failed (1 s at most).
ask() {
	h "$1" curl -s --connect-timeout 1 -m 1 -H 'Connection: close' \
	    "http://[$ANY]/name" 2>/dev/null || true
}

# tally HOST N: N requests, each on its own connection; sets TALLY
# ("m3=20 m4=20"), FAILED.
tally() {
	local i name
	declare -A n=()
	FAILED=0
	for ((i = 0; i < $2; i++)); do
		name=$(ask "$1")
		if [[ $name =~ ^m[1-4]$ ]]; then
			n[$name]=$(( ${n[$name]:-0} + 1 ))
		else
			FAILED=$((FAILED + 1))
		fi
	done
	TALLY=$(for k in "${!n[@]}"; do echo "$k=${n[$k]}"; done | sort |
	    tr '\n' ' ' | sed 's/ $//')
}

capture() {
	on "$1" api POST /api/v1/captures \
	    "{\"interface\": \"$2\", \"filter\": \"udp port 521\"}" | jq -r .id
}

sites_start
ANY128=$ANY/128

# ---------------------------------------------------------------------
# 1. converged on site 1

cap_rc=$(capture rc t1)
cap_rs1=$(capture rs1 t3)
wait_for -t 20 route_is rc "$ANY128" "t1 2" ||
    fail "rc does not route $ANY128 over t1 with metric 2:"$'\n'"$(on rc api GET /api/v1/ripng | jq -c .routes)"
for p in 2001:db8:21::/64 2001:db8:23::/64 2001:db8:99::/64; do
	wait_for route_is rc "$p" "$(case $p in
	    *:21::*) echo "t1 2" ;; *) echo "t1 3" ;;
	    esac)" || fail "rc: route to $p is '$(route_to rc "$p")'"
done
info "rc: $ANY128 over t1 metric 2; 2001:db8:99::/64 (BIRD) over t1 metric 3"
wait_for route_is rs1 2001:db8:99::/64 "t3 2" ||
    fail "rs1 did not learn BIRD's 2001:db8:99::/64: '$(route_to rs1 2001:db8:99::/64)'"
route=$(on rs1 api GET "/api/v1/routes/2001:db8:99::%2F64")
assert_eq ripng "$(jq -r .type <<<"$route")" "type of rs1's route to BIRD's prefix"

bird_route() { birdc t3 show route "$1" all 2>&1; }
bird_has() { [[ $(bird_route "$1") == *"$1"* ]]; }
for p in "$ANY128" 2001:db8:1::/64 2001:db8:21::/64 2001:db8:23::/64; do
	wait_for bird_has "$p" ||
	    fail "BIRD has no route to $p:"$'\n'"$(birdc t3 show route)"
done
info "BIRD on t3: $(bird_route "$ANY128" | grep -E 'via|unicast' | head -2 | tr -s ' ' | tr '\n' ';')"

tally c1 20
info "before: 20 requests from c1: $TALLY, $FAILED failed"
assert_eq 0 "$FAILED" "failed requests before the failure"
assert_match '^(m1=[0-9]+ ?)?(m2=[0-9]+)?$' "$TALLY" "members answering c1 (site 1 only)"

# ---------------------------------------------------------------------
# 2. site 1 dies

rs2_ll=$(on rs2 api GET /api/v1/interfaces/t3 | jq -r '.addresses[0]' | cut -d/ -f1)
declare -A ARGV
for m in m1 m2; do
	ARGV[$m]=$(tr '\0' '\n' <"/proc/$(cat "$LAB_STATE/hosts/$m/member.pid")/cmdline")
done
t0=$(now_ms)
for m in m1 m2; do
	# shellcheck disable=SC2046
	kill -KILL $(ip netns pids "$m") 2>/dev/null || true
done
failed_before=0
while :; do
	name=$(ask c1)
	[[ $name =~ ^m[34]$ ]] && break
	failed_before=$((failed_before + 1))
	[ $(( $(now_ms) - t0 )) -lt 20000 ] ||
	    fail "no answer from site 2 within 20 s of site 1's death"
done
conv=$(( $(now_ms) - t0 ))
info "site 1 killed: first answer from site 2 ($name) after $conv ms ($failed_before requests failed before)"

tally c1 40
info "after: 40 requests from c1: $TALLY, $FAILED failed"
assert_eq 0 "$FAILED" "failed requests after convergence"
assert_match '^(m3=[0-9]+ ?)?(m4=[0-9]+)?$' "$TALLY" "members answering c1 (site 2 only)"

wait_for route_is rc "$ANY128" "t1 3" ||
    fail "rc routes $ANY128 as '$(route_to rc "$ANY128")', not over t1 metric 3"
rerouted=$(on rs1 api GET "/api/v1/groups/$ANY" | jq .counters.rerouted)
assert_gt "$rerouted" 0 "packets rs1 sent on to site 2"
info "rc: $ANY128 over t1 metric 3 (through rs1 to site 2); rs1 rerouted $rerouted packets"
via_rs2_only() {
	local out
	out=$(bird_route "$ANY128")
	[[ $out == *"$rs2_ll"* ]] && [ "$(grep -c 'via fe80' <<<"$out")" = 1 ]
}
wait_for via_rs2_only || fail "BIRD's route to $ANY128 is not through rs2 ($rs2_ll) alone:"$'\n'"$(bird_route "$ANY128")"
info "BIRD: $ANY128 through rs2 ($rs2_ll) only"

# ---------------------------------------------------------------------
# 3. m1 comes back

dir=$LAB_STATE/hosts/m1/http
t2=$(now_ms)
h m1 setsid nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" \
    </dev/null >>"$dir/restart.log" 2>&1 &
mapfile -t argv <<<"${ARGV[m1]}"
ip netns exec m1 setsid "${argv[@]}" </dev/null \
    >>"$LAB_STATE/hosts/m1/member.log" 2>&1 &
echo $! >"$LAB_STATE/hosts/m1/member.pid"
while :; do
	name=$(ask c1)
	[ "$name" = m1 ] && break
	[ $(( $(now_ms) - t2 )) -lt 20000 ] ||
	    fail "no answer from m1 within 20 s of its return (last: '$name')"
done
back=$(( $(now_ms) - t2 ))
info "m1 restarted: first answer from m1 after $back ms"
wait_for route_is rc "$ANY128" "t1 2" ||
    fail "rc routes $ANY128 as '$(route_to rc "$ANY128")' after m1 came back"
tally c1 10
assert_eq 0 "$FAILED" "failed requests after m1 came back"
assert_eq "m1=10" "$TALLY" "members answering c1 after m1 came back"
info "rc: $ANY128 over t1 metric 2 again; 10 requests: $TALLY"

# ---------------------------------------------------------------------
# 4. the RIPng packets, as tshark reads them

for rc_cap in "rc $cap_rc" "rs1 $cap_rs1"; do
	read -r r id <<<"$rc_cap"
	on "$r" api POST "/api/v1/captures/$id/stop" >/dev/null
	on "$r" api_get_to "$TEST_TMP/$r.pcap" "/api/v1/captures/$id/pcap"
	all=$(tshark -r "$TEST_TMP/$r.pcap" -Y 'udp.port == 521' 2>/dev/null | wc -l)
	rip=$(tshark -r "$TEST_TMP/$r.pcap" -Y 'ripng' 2>/dev/null | wc -l)
	bad=$(tshark -r "$TEST_TMP/$r.pcap" -Y '_ws.malformed || _ws.expert.severity == "error"' 2>/dev/null | wc -l)
	assert_gt "$all" 10 "RIPng packets captured on $r"
	assert_eq "$all" "$rip" "packets on port 521 that tshark decodes as RIPng ($r)"
	assert_eq 0 "$bad" "malformed RIPng packets on $r"
	withdrawn=$(tshark -r "$TEST_TMP/$r.pcap" -Y "ripng.rte.ipv6_prefix == $ANY and ripng.rte.metric == 16" 2>/dev/null | wc -l)
	info "tshark, $r: $rip RIPng packets, 0 malformed, $withdrawn with $ANY128 at metric 16"
done
