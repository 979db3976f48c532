#!/usr/bin/env bash
#
# Limits driven to their end while existing traffic goes on.
#
#   c1 ── vrouter ──┬── m1 (2001:db8:21::/64, scanned)
#   c2 ──┘          ├── m2
#                   └── m3
#
# The anycast topology with a neighbour cache of NEIGH (256) entries.
# (a) The API: it listens on ::1 only (the default); a write without a
#     token is refused with 401; a body over 64 KiB with 413; SLOW (20)
#     clients that open a connection and never finish their request are
#     cut off by the API's timeout (10 s), while requests from others
#     are answered at once meanwhile.
# (b) RFC 6583: c1 sends SYNs to SCAN_PPS (5000) random addresses a
#     second of m1's connected /64 for SCAN_S (5) seconds, while c1 pings
#     m1 and c2 pings m2: no ping is lost, the cache stays at its cap,
#     the scan's unresolved entries are given up (counter
#     neigh_evicted_incomplete), no stale one (neigh_evicted_stale 0).
# (c) A capture of m1 with max_bytes 65536 and rotate 2 during the scan:
#     it rotates, three files are left, none over 65536 bytes.
# (d) The queue of packets parked while members are probed (a probe
#     before every new flow), PATCHed to 4: 2 s of SYNs from spoofed
#     sources of c2's /64 at SCAN_PPS overflow it (group counter
#     pending_dropped) while a download from c1 goes on and completes.

# shellcheck source=tests/lab/lib_anycast.sh
. "$(dirname "$0")/lib_anycast.sh"

NEIGH=${NEIGH:-256}
SLOW=${SLOW:-20}
SCAN_PPS=${SCAN_PPS:-5000}
SCAN_S=${SCAN_S:-5}

topo=$TEST_TMP/exhaustion.json
jq --argjson n "$NEIGH" '.name = "exhaustion"
    | .router.limits = {neighbors: $n}' "$ANY_TOPOLOGY" >"$topo"
lab_start "$topo"
wait_for all_up || fail "members not up: $(states_line)"

# ---------------------------------------------------------------------
info "(a) the API under abuse"
port=$(jq -r '.api.port' "$LAB_STATE/router.json")
listen=$(ss -Hltn "sport = :$port" | awk '{ print $4 }' | paste -sd' ')
assert_eq "[::1]:$port" "$listen" "the API's listening socket"
info "  listens on $listen only"
assert_eq 401 "$(API_AUTH=no api_code DELETE /api/v1/flows)" \
    "DELETE without a token"
big=$(printf '{"address": "2001:db8:ac::99", "name": "%070000d"}' 0)
assert_eq 413 "$(api_code POST /api/v1/groups "$big")" "a body of 70 kB"
assert_eq 404 "$(api_code GET "/api/v1/groups/2001:db8:ac::99")" \
    "the group of the refused body"

# SLOW connections that send half a request line and wait; each prints
# how long the API took to close it, in milliseconds.
/usr/bin/python3 - "$SLOW" "$port" >"$TEST_TMP/slow.out" 2>&1 <<'EOF' &
import selectors, socket, sys, time
n, port = int(sys.argv[1]), int(sys.argv[2])
sel = selectors.DefaultSelector()
t0 = time.monotonic()
for _ in range(n):
    s = socket.create_connection(("::1", port))
    s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n")
    sel.register(s, selectors.EVENT_READ)
left = n
while left and time.monotonic() - t0 < 30:
    for key, _ in sel.select(timeout=1):
        if not key.fileobj.recv(4096):
            print(int((time.monotonic() - t0) * 1000))
            sel.unregister(key.fileobj)
            key.fileobj.close()
            left -= 1
EOF
SLOW_PID=$!
stop_slow() { kill_all "$SLOW_PID"; }
at_exit stop_slow
sleep 1
for i in 1 2 3 4 5; do
	t0=$(now_ms)
	assert_eq 200 "$(api_code GET /api/v1/status)" "status beside the slow clients"
	ms=$(( $(now_ms) - t0 ))
	[ "$ms" -lt 1000 ] || fail "GET /api/v1/status took $ms ms beside $SLOW slow clients"
done
info "  5 requests answered beside $SLOW slow clients, the last in $ms ms"
wait "$SLOW_PID" || true
cut=$(wc -l <"$TEST_TMP/slow.out")
assert_eq "$SLOW" "$cut" "slow clients cut off (got: $(paste -sd' ' "$TEST_TMP/slow.out"))"
sort -n "$TEST_TMP/slow.out" >"$TEST_TMP/slow.sorted"
first=$(head -1 "$TEST_TMP/slow.sorted")
last=$(tail -1 "$TEST_TMP/slow.sorted")
if [ "$first" -lt 9000 ] || [ "$last" -gt 13000 ]; then
	fail "slow clients cut off after $first to $last ms, not about 10 s"
fi
info "  all $SLOW slow clients cut off after $first to $last ms"

# ---------------------------------------------------------------------
info "(b) a scan of m1's /64 at $SCAN_PPS/s for $SCAN_S s, pings beside it"
cap=$(api POST /api/v1/captures '{"interface": "m1", "max_bytes": 65536,
    "rotate": 2}')
cap_id=$(jq -r .id <<<"$cap")
cap_path=$(jq -r .path <<<"$cap")
ping_ok c1 "${UNI[m1]}" 1
ping_ok c2 "${UNI[m2]}" 1
router_mac=$(neigh_mac c1 2001:db8:1::1)
c1_mac=$(h c1 cat /sys/class/net/eth0/address)
counters0=$(api GET /api/v1/counters | jq -c .router)
count=$((SCAN_S * 5 + 5))
h c1 ping -6 -c "$count" -i 0.2 -W 2 "${UNI[m1]}" >"$TEST_TMP/ping1" 2>&1 &
P1=$!
h c2 ping -6 -c "$count" -i 0.2 -W 2 "${UNI[m2]}" >"$TEST_TMP/ping2" 2>&1 &
P2=$!
h c1 /usr/bin/python3 "$LAB_REPO/tests/lab/synflood.py" eth0 "$c1_mac" \
    "$router_mac" 2001:db8:1::10 2001:db8:21:: "$SCAN_PPS" "$SCAN_S" \
    >"$TEST_TMP/scan.out" 2>&1 &
SCAN=$!
stop_scan() { kill_all "$SCAN" "$P1" "$P2"; }
at_exit stop_scan
most=0
while kill -0 "$SCAN" 2>/dev/null; do
	n=$(api GET /api/v1/status | jq .neighbors)
	[ "$n" -le "$most" ] || most=$n
	sleep 0.2
done
wait "$SCAN" || fail "synflood.py: $(cat "$TEST_TMP/scan.out")"
info "  synflood.py: $(cat "$TEST_TMP/scan.out")"
wait "$P1" || true
wait "$P2" || true
for f in ping1 ping2; do
	assert_match ' 0% packet loss' "$(cat "$TEST_TMP/$f")" "$f during the scan"
done
info "  c1 -> m1: $(grep -o '[0-9]* received' "$TEST_TMP/ping1"), c2 -> m2:" \
    "$(grep -o '[0-9]* received' "$TEST_TMP/ping2") of $count, none lost"
assert_eq "$NEIGH" "$most" "most neighbour entries during the scan"
counters=$(api GET /api/v1/counters | jq -c .router)
inc=$(( $(jq .neigh_evicted_incomplete <<<"$counters") -
    $(jq .neigh_evicted_incomplete <<<"$counters0") ))
assert_gt "$inc" 1000 "unresolved entries given up"
assert_eq "$(jq .neigh_evicted_stale <<<"$counters0")" \
    "$(jq .neigh_evicted_stale <<<"$counters")" "stale entries given up"
info "  cache at its cap of $most; $inc unresolved entries given up, no stale one"

# ---------------------------------------------------------------------
info "(c) capture of m1, max_bytes 65536, rotate 2"
cap=$(api POST "/api/v1/captures/$cap_id/stop")
rotations=$(jq .rotations <<<"$cap")
assert_gt "$rotations" 2 "rotations"
[ ! -e "$cap_path.3" ] || fail "$cap_path.3 exists with rotate 2"
for f in "$cap_path" "$cap_path.1" "$cap_path.2"; do
	[ -e "$f" ] || fail "$f missing"
	size=$(stat -c %s "$f")
	[ "$size" -le 65536 ] || fail "$f: $size bytes, over 65536"
	sizes+="$(basename "$f")=$size "
done
info "  $rotations rotations, $(jq .packets <<<"$cap") frames; files: $sizes"

# ---------------------------------------------------------------------
info "(d) pending_max 4, SYNs from spoofed sources at $SCAN_PPS/s for 2 s"
api PATCH "/api/v1/groups/$ANY" '{"probe": {"pending_max": 4}}' >/dev/null
dropped0=$(group_counter .pending_dropped)
slow_download c1 1 $((4 * 1048576))
c2_mac=$(h c2 cat /sys/class/net/eth0/address)
ping_ok c2 2001:db8:2::1 1
router2_mac=$(neigh_mac c2 2001:db8:2::1)
h c2 /usr/bin/python3 "$LAB_REPO/tests/lab/synflood.py" eth0 "$c2_mac" \
    "$router2_mac" 2001:db8:2:: "$ANY" "$SCAN_PPS" 2 \
    >"$TEST_TMP/burst.out" 2>&1 || fail "synflood.py: $(cat "$TEST_TMP/burst.out")"
info "  synflood.py: $(cat "$TEST_TMP/burst.out")"
dropped=$(( $(group_counter .pending_dropped) - dropped0 ))
assert_gt "$dropped" 0 "packets dropped from the full queue"
downloads_ok $((4 * 1048576))
info "  $dropped packets dropped from the full queue" \
    "($(api GET "/api/v1/groups/$ANY" | jq -c '.counters |
    {new_flows, selections, probes_sent}')); the download from c1" \
    "completed, 4 MiB with the right sha256"
