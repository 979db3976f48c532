#!/usr/bin/env bash
#
# Link emulation on s1's side of the router, set at run time through the
# API, measured with real tools from c1 (issue figures: 20 ms of delay
# adds 20 ms +-1 ms to ping; a 50 Mbit/s rate shows in iperf3 within 5 %;
# 10 % loss gives 10 +-2 % over 2 000 pings):
#
#   c1 ── vrouter ──[s1 out: delay | rate | loss]── s1
#
# Each setting is applied with PATCH /api/v1/interfaces/s1 and read back
# from GET; the emulated link's counters must account for what it did.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_start

S1=2001:db8:11::10

emulate() {
	api PATCH /api/v1/interfaces/s1 "{\"emulation\": {\"out\": $1}}" |
	    jq -c .emulation.out
}

# median_rtt N: the median round trip of N pings from c1 to s1, in ms.
median_rtt() {
	c1 ping -6 -n -c "$1" -i 0.02 -W 2 "$S1" |
	    sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n |
	    awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# in_range VALUE LO HI: floats.
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

ping_ok c1 "$S1" 2

# --- delay
base=$(median_rtt 50)
got=$(emulate '{"delay_ms": 20}')
assert_eq 20 "$(jq -r .delay_ms <<<"$got")" "delay_ms read back"
with=$(median_rtt 50)
added=$(awk -v a="$with" -v b="$base" 'BEGIN { printf "%.2f", a - b }')
info "delay 20 ms: median rtt $base ms -> $with ms, +$added ms"
in_range "$added" 19 21 || fail "20 ms of delay added $added ms to ping"

# --- rate
emulate '{"rate_mbit": 50}' >/dev/null
# Datagrams s1's kernel dropped for a full socket buffer: the receiving
# iperf3 fell behind, not the link.
rcvbuf_errors() { h s1 awk '$1 == "Udp6RcvbufErrors" { print $2 }' /proc/net/snmp6; }
drops0=$(rcvbuf_errors)
h s1 iperf3 -s -1 -B "$S1" >"$TEST_TMP/iperf3-s.log" 2>&1 &
iperf3_listens() { [ -n "$(h s1 ss -Hltn 'sport = :5201')" ]; }
wait_for iperf3_listens || fail "iperf3 server did not start"
c1 iperf3 -6 -c "$S1" -u -b 80M -l 1400 -t 5 -J --get-server-output \
    >"$TEST_TMP/iperf3.json" ||
    fail "iperf3 failed: $(head -c 300 "$TEST_TMP/iperf3.json")"
drops=$(( $(rcvbuf_errors) - drops0 ))
# What the server received in its whole one-second intervals, the first
# (the queue filling) and the last (partial: the queue draining after
# the sender stopped) left out; else sum_received over the whole run.
mbit=$(jq '([.server_output_json.intervals[]?.sum
	| select(.seconds > 0.9)] | .[1:-1]) as $iv
    | (if ($iv | length) > 0
       then ($iv | map(.bytes) | add) * 8 / ($iv | map(.seconds) | add)
       else .end.sum_received.bits_per_second end)
    / 1e6 * 100 | round / 100' "$TEST_TMP/iperf3.json")
# The receiver's figure is UDP payload; the emulated rate counts IPv6
# bytes (a 1400-byte datagram is 1448 of them), so the limit is checked
# in those: 50 Mbit/s of IPv6 is 48.34 Mbit/s of payload.
ipmbit=$(awk -v m="$mbit" 'BEGIN { printf "%.2f", m * 1448 / 1400 }')
info "rate 50 Mbit/s: iperf3 UDP (1400-byte datagrams, 80 Mbit/s offered, the server's steady seconds) received $mbit Mbit/s of payload, $ipmbit Mbit/s of IPv6; $drops datagrams dropped by s1's full socket buffer"
in_range "$ipmbit" 47.5 52.5 ||
    fail "50 Mbit/s showed as $ipmbit Mbit/s of IPv6 ($mbit of payload) in iperf3"
h s1 iperf3 -s -1 -B "$S1" >>"$TEST_TMP/iperf3-s.log" 2>&1 &
wait_for iperf3_listens || fail "iperf3 server did not start again"
c1 iperf3 -6 -c "$S1" -t 4 -J >"$TEST_TMP/iperf3-tcp.json" ||
    fail "iperf3 (TCP) failed"
tcp=$(jq '.end.sum_received.bits_per_second / 1e6 * 100 | round / 100' \
    "$TEST_TMP/iperf3-tcp.json")
info "rate 50 Mbit/s: iperf3 TCP received $tcp Mbit/s"
in_range "$tcp" 40 52.5 || fail "50 Mbit/s showed as $tcp Mbit/s for TCP"

# --- loss
emulate '{"loss_percent": 10}' >/dev/null
out=$(c1 ping -6 -n -q -c 2000 -i 0.002 -W 1 "$S1" || true)
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
lost=$(api GET /api/v1/interfaces/s1 | jq .emulation.out.counters.lost)
info "loss 10 %: $loss % of 2000 pings lost ($lost frames lost by the link)"
in_range "$loss" 8 12 || fail "10 % loss showed as $loss % over 2000 pings"
assert_gt "$lost" 150 "frames the emulated link lost"

# --- off again
assert_eq null "$(emulate '{}')" "emulation after {}"
ping_ok c1 "$S1" 5
