#!/usr/bin/env bash
#
# A bulk TCP transfer across the router arrives intact.
#
#   c1 2001:db8:1::10 ── vrouter ── s1 2001:db8:11::10
#   socat TCP6:[s1]:5001 <──────── socat TCP6-LISTEN:5001 < random file
#
# TRANSFER_MIB (default 100) random MiB are served by s1 and fetched by
# c1; the SHA-256 of both copies must match.  Prints the throughput.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_start

MIB=${TRANSFER_MIB:-100}
src=$LAB_STATE/hosts/s1/transfer.bin
dst=$LAB_STATE/hosts/c1/transfer.bin
# /run is often a small tmpfs: fall back to /tmp when two copies do not fit.
avail=$(df -Pk "$LAB_STATE" | awk 'NR == 2 { print $4 }')
if [ "$avail" -lt $((MIB * 2048 + 16384)) ]; then
	src=$TEST_TMP/s1-transfer.bin
	dst=$TEST_TMP/c1-transfer.bin
fi

head -c "$((MIB * 1024 * 1024))" /dev/urandom >"$src"
want=$(sha256sum <"$src" | cut -d' ' -f1)

# The server stays with the lab: lab.sh down stops what runs in s1.
s1 socat -u "OPEN:$src" TCP6-LISTEN:5001,reuseaddr </dev/null \
    >"$TEST_TMP/server.log" 2>&1 &
server=$!
listening() { [ -n "$(s1 ss -Hltn 'sport = :5001')" ]; }
wait_for listening || fail "socat does not listen in s1"

start=$(date +%s%N)
c1 timeout 300 socat -u "TCP6:[2001:db8:11::10]:5001" "CREATE:$dst" \
    2>"$TEST_TMP/client.log" ||
    fail "transfer failed: $(cat "$TEST_TMP/client.log")"
end=$(date +%s%N)
wait "$server" || fail "server side failed: $(cat "$TEST_TMP/server.log")"

size=$(stat -c %s "$dst")
assert_eq "$((MIB * 1024 * 1024))" "$size" "bytes received by c1"
got=$(sha256sum <"$dst" | cut -d' ' -f1)
assert_eq "$want" "$got" "sha256 of the file received by c1"

info "$MIB MiB s1 -> c1 in $(awk -v ns=$((end - start)) \
    'BEGIN { printf "%.2f s", ns / 1e9 }'), $(awk -v b="$size" \
    -v ns=$((end - start)) 'BEGIN { printf "%.1f Mbit/s", b * 8 / ns * 1e3 }')," \
    "sha256 $got"
rm -f "$src" "$dst"
