#!/usr/bin/env bash
#
# The client shim puts a connection on the direct path (paper 1 §3.5,
# steps 3 and 4; DESIGN.md §3.2): after the first reply, which names the
# member U in its routing header, every packet c1 sends on that
# connection goes to U with an SRH [A, U], not to A.
#
#   c1 (anycast-client) ──── SYN dst A ─────────────> vrouter ──> m? (U)
#      eth0          <──── SYN-ACK src A, RH [U] ────        (the member's
#                    ──── ACK, data dst U, SRH [A, U] ──>     kernel turns
#      capture: the router's c1 interface, rx              dst U back into A)
#
# A = 2001:db8:ac::1 ("anycast-shim" topology: the anycast one with
# anycast-client in c1).  Checks, on real traffic: the shim's status and
# the kernel's rules while a connection runs; the member's socket on A;
# a second connection starting at A; a 100 MiB download whose packets
# from c1 take the anycast path for the handshake only (the share is
# printed); and the rules gone once the connections end.

# shellcheck source=tests/lab/lib_client.sh
. "$(dirname "$0")/lib_client.sh"
need_seg6_lwt
anycast_start

status_json() { shim_status; }
count_is() { shim_count_is "$1"; }
rules() { h c1 ip -6 rule show priority 100; }

c1_capture_start "ip6 src host $C1" rx

# 1. A long-lived connection: the shim's mapping, the rule, the route,
# the member's socket on A.
c1 curl -gs -m 4 -o /dev/null "http://[$ANY]/slow" &
slow=$!
wait_for count_is 1 || fail "the shim learnt nothing: $(status_json)"
map=$(status_json | jq -c '.mappings[0]')
info "shim: $map"
U=$(jq -r .member <<<"$map")
port=$(jq -r .local_port <<<"$map")
table=$(jq -r .table <<<"$map")
member=""
for m in "${MEMBERS[@]}"; do
	[ "${UNI[$m]}" != "$U" ] || member=$m
done
[ -n "$member" ] || fail "member $U is none of ${UNI[*]}"
assert_eq "$ANY" "$(jq -r .anycast <<<"$map")" "anycast address"
assert_match "^100:.*to $ANY ipproto tcp sport $port dport 80 lookup $table proto 172" \
    "$(rules)" "c1's rules"
route=$(h c1 ip -6 route show table "$table")
assert_match "^$ANY +encap seg6 mode inline segs 2 \[ $U :: \] via fe80:" \
    "$route" "c1's table $table"
info "c1: $(rules)"
info "c1 table $table: $route"
msock() { h "$member" ss -Htn state established "sport = :80 and dport = :$port"; }
has_msock() { [ -n "$(msock)" ]; }
wait_for has_msock || true	# the shim may learn before the ACK arrives
sock=$(msock)
assert_match "\[$ANY\]:80 +\[$C1\]:$port" "$sock" "$member's socket"
info "$member: $sock"

# 2. A second connection still starts at A: its SYN has destination A.
out=$(c1 curl -gsS -m 5 -w ' %{local_port}' "http://[$ANY]/name") ||
    fail "second connection: $out"
port2=${out##* }
wait "$slow" || true

# 3. A 100 MiB download; the group's "packets" counter is what the
# router forwarded to A (the anycast path) meanwhile.
wait_for count_is 0 || fail "mappings left: $(status_json)"
before=$(group_counter .packets)
out=$(c1 curl -gsS -m 20 -o /dev/null -w '%{size_download} %{local_port}' \
    "http://[$ANY]/big100") || fail "download: $out"
assert_eq 104857600 "${out%% *}" "bytes downloaded"
port3=${out##* }
router_a=$(( $(group_counter .packets) - before ))
wait_for count_is 0 ||
    fail "mappings left after the connections ended: $(status_json)"
assert_eq "" "$(rules)" "c1's rules after the connections ended"
status_json | jq -c .counters | sed "s/^/$TEST_NAME: shim counters: /"

c1_capture_get
first_syn=$(c1_sent "$port2" | head -1)
assert_match "^$ANY +[^ ]*S" "$first_syn" "second connection's SYN"
info "second connection (port $port2): first packet $first_syn"

c1_sent "$port3" >"$TEST_TMP/big.txt"
total=$(wc -l <"$TEST_TMP/big.txt")
to_a=$(grep -c "^$ANY " "$TEST_TMP/big.txt" || true)
# The member that served it: the first other destination.
U=$(awk -v a="$ANY" '$1 != a {print $1; exit}' "$TEST_TMP/big.txt")
[[ " ${UNI[*]} " == *" $U "* ]] || fail "c1 sent to '$U', not a member"
direct=$(grep -c "^$U 4 $ANY,$U " "$TEST_TMP/big.txt" || true)
assert_gt "$total" 1000 "packets from c1 on the 100 MiB connection"
assert_eq "$total" "$((to_a + direct))" \
    "packets to A or to U with SRH [A, U] ($(grep -v "^$ANY \|^$U 4 $ANY,$U " "$TEST_TMP/big.txt" | head -3))"
grep -m1 "^$ANY " "$TEST_TMP/big.txt" | grep -q "S" ||
    fail "the connection does not start with a SYN to A"
a_then_u "$ANY" "$TEST_TMP/big.txt" ||
    fail "a packet to A after the direct path began:"$'\n'"$(grep -n "^$ANY " "$TEST_TMP/big.txt")"
info "100 MiB download (port $port3): $total packets from c1, $to_a to A" \
    "(anycast path, $(awk -v a="$to_a" -v t="$total" 'BEGIN {printf "%.3f", 100 * a / t}') %)," \
    "$direct to $U with SRH [A, U]"
assert_eq "$to_a" "$router_a" "packets the router forwarded to A (group counter) against the capture"
info "the group's packets counter grew by $router_a during the download"
info "on the anycast path: $(grep "^$ANY " "$TEST_TMP/big.txt" | awk '{print $NF}' | tr '\n' ' ')"
