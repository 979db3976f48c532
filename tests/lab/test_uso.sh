#!/usr/bin/env bash
#
# UDP segmentation offload through the router: a host's UDP super-frame
# (one sendmsg with UDP_SEGMENT) crosses vrouter whole, vnet header and
# all, and arrives as the datagrams the sender cut.
#
#   c1 2001:db8:1::10 ── TAP (USO) ─ vrouter ─ TAP (USO) ── s1 2001:db8:11::10
#   one send of 10 x 1200 bytes, gso_size 1200    receiver counts datagrams
#
# c1's TAP takes USO (TUN_F_USO6), so c1's kernel hands the send to the
# router as one VIRTIO_NET_HDR_GSO_UDP_L4 frame: rx_gso on c1 and
# tx_gso on s1 count it; s1 must receive ten datagrams of 1200 bytes,
# each with its own sequence byte.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
lab_start

PY=/usr/bin/python3
counter() {
	api GET "/api/v1/interfaces/$1" | jq -r --arg c "$2" \
	    '(.interface // .) | (.counters // .stats // .)[$c]'
}

# The receiver: prints "SIZE FIRST-BYTE" per datagram, ends after 10 or
# after 5 s without one.
s1 "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("2001:db8:11::10", 9000))
s.settimeout(5)
print("ready", flush=True)
for _ in range(10):
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    print(len(d), d[0], flush=True)
' >"$TEST_TMP/recv.out" 2>&1 &
recv=$!
ready() { grep -q ready "$TEST_TMP/recv.out"; }
wait_for ready || fail "the receiver does not start in s1"
# c1 must know the way (the router's RA) before the send.
ping_ok c1 2001:db8:11::10

rx0=$(counter c1 rx_gso) tx0=$(counter s1 tx_gso)
c1 "$PY" -c '
import socket
UDP_SEGMENT = 103
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, 1200)
s.sendto(b"".join(bytes([i]) * 1200 for i in range(10)),
    ("2001:db8:11::10", 9000))
' || fail "c1 cannot send with UDP_SEGMENT"
wait "$recv" || true

got=$(grep -vc ready "$TEST_TMP/recv.out" || true)
assert_eq 10 "$got" "datagrams received by s1 ($(tr '\n' ' ' \
    <"$TEST_TMP/recv.out"))"
assert_eq "$(printf '1200 %d\n' 0 1 2 3 4 5 6 7 8 9)" \
    "$(grep -v ready "$TEST_TMP/recv.out")" "sizes and order of the datagrams"
assert_gt "$(counter c1 rx_gso)" "$rx0" "rx_gso on c1 (a USO super-frame)"
assert_gt "$(counter s1 tx_gso)" "$tx0" "tx_gso on s1 (sent whole)"
info "one USO super-frame of 10 x 1200 bytes c1 -> s1, 10 datagrams received"
