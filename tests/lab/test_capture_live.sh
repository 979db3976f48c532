#!/usr/bin/env bash
#
# A running capture seen from Wireshark's side, in the anycast lab:
#
#   c1 2001:db8:1::10 ──rx── vrouter ──── m1 2001:db8:21::10
#                     capture on c1, echo requests only
#        ├─ the file on disk:     tshark -r cap<ID>-c1.pcap  (while running)
#        └─ the live stream:      curl -sN .../captures/<ID>/stream | tshark -i -
#
# Echo requests from c1 with 222 bytes of data (an IPv6 payload of 230
# bytes) show in tshark reading the pipe as they are sent, and in the
# running capture's file within a second, without a download or a stop.
# A stream follows until the client goes away or the capture stops (the
# reply then ends: a whole savefile); a capture takes a few streams,
# not more.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"

PIDS=()
stop_clients() { kill_all ${PIDS[@]+"${PIDS[@]}"}; }
at_exit stop_clients
anycast_start
ping_ok c1 "${UNI[m1]}" 1

api POST /api/v1/captures \
    '{"interface": "c1", "direction": "rx", "filter": "icmp6 and ip6[40] == 128"}' \
    >"$TEST_TMP/cap.json"
id=$(jq -r .id "$TEST_TMP/cap.json")
file=$(jq -r .path "$TEST_TMP/cap.json")
[[ $id =~ ^[0-9]+$ ]] || fail "no capture id in $(cat "$TEST_TMP/cap.json")"
STREAM=$API_URL/api/v1/captures/$id/stream
info "capture $id on c1 to $file"

# HEAD answers the headers without starting a stream.
head=$(curl -gsS -m 5 -I "$STREAM" | tr -d '\r')
assert_match '^HTTP/1.1 200' "$head" "HEAD of the stream"
assert_match 'Content-Type: application/vnd.tcpdump.pcap' "$head" \
    "HEAD of the stream"

# tshark on the pipe, and a plain copy of the stream to a file.
live=$TEST_TMP/live.txt
: >"$live"
curl -gsN "$STREAM" | tshark -l -i - -c 3 -T fields -e icmpv6.type \
    -e ipv6.plen >"$live" 2>"$TEST_TMP/tshark.err" &
PIDS+=($!)
curl -gsN -o "$TEST_TMP/copy.pcap" "$STREAM" &
copy_pid=$!
PIDS+=("$copy_pid")
streams() { api GET "/api/v1/captures/$id" | jq -r .streams; }
streams_are() { [ "$(streams)" = "$1" ]; }
wait_for streams_are 2 || fail "capture $id has $(streams) streams, not 2"

# Before any packet tshark has read the header and waits.
c1 ping -6 -c 3 -i 0.2 -s 222 -W 2 "${UNI[m1]}" >/dev/null ||
    fail "c1 cannot ping m1"
live_seen() { [ "$(grep -c '^128	230$' "$live")" -ge 3 ]; }
wait_for -t 5 live_seen || fail "tshark -i - on the stream saw:" \
    "'$(cat "$live")' $(cat "$TEST_TMP/tshark.err")"
info "tshark on the live stream saw the 3 echo requests as they went"

# The running capture's file: whole records within a second.
in_file() {
	[ "$(tshark -r "$file" -Y 'ipv6.plen == 230' 2>/dev/null |
	    wc -l)" -ge "$1" ]
}
start=$(now_ms)
c1 ping -6 -c 1 -s 222 -W 2 "${UNI[m1]}" >/dev/null
wait_for -t 2 in_file 4 || fail "tshark -r $file (running) does not" \
    "show 4 echo requests: $(tshark -r "$file" 2>&1 | tail -5)"
info "tshark -r on the running file saw the 4th echo request after" \
    "$(( $(now_ms) - start )) ms"
assert_eq true "$(api GET "/api/v1/captures/$id" | jq -r .running)" \
    "capture $id still running"

# The pipe's tshark exited after 3 packets; its curl goes with the next
# record (SIGPIPE), and only then can the pipeline be waited for: the
# router lets the stream go.
c1 ping -6 -c 1 -s 222 -W 2 "${UNI[m1]}" >/dev/null
kill_all "${PIDS[0]}"
wait_for streams_are 1 || fail "capture $id has $(streams) streams after" \
    "a client went away, not 1"

# At most CAPTURE_MAX_STREAMS (4) per capture.
for _ in 1 2 3; do
	curl -gsN -o /dev/null "$STREAM" &
	PIDS+=($!)
done
wait_for streams_are 4 || fail "capture $id has $(streams) streams, not 4"
code=$(curl -gs -m 5 -o "$TEST_TMP/full" -w '%{http_code}' "$STREAM")
assert_eq 409 "$code" "a fifth stream: $(cat "$TEST_TMP/full")"

# Stopping the capture ends every stream; the copy is a whole savefile.
api POST "/api/v1/captures/$id/stop" >/dev/null
wait_for proc_gone "$copy_pid" || fail "the stream did not end with the capture"
assert_eq 0 "$(streams)" "streams of a stopped capture"
n=$(tshark -r "$TEST_TMP/copy.pcap" -Y 'ipv6.plen == 230' 2>/dev/null | wc -l)
assert_eq 5 "$n" "echo requests in the stream's copy"
code=$(curl -gs -m 5 -o /dev/null -w '%{http_code}' "$STREAM")
assert_eq 409 "$code" "the stream of a stopped capture"
info "stop ended the streams; the copy holds the 5 echo requests"
