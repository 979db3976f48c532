#!/usr/bin/python3
"""
tests/lab/synflood.py: TCP SYNs from spoofed sources, or to many
addresses, for the lab only.

    synflood.py IFACE SRC_MAC DST_MAC SRC DST PPS SECONDS

Sends SYNs from SRC to [DST]:80 out of IFACE (an AF_PACKET socket: run
it inside a lab namespace) at about PPS packets a second for SECONDS
seconds, each from a random port.  An address ending in "::" (a /64,
e.g. "2001:db8:1::") stands for a random address of that prefix in
each packet: spoofed sources, or a scan of unused destinations (RFC
6583).  The frames are built beforehand (scapy for the template, then
only the addresses, the port and the TCP checksum change), so the loop
only sends.  Prints one line: "sent N in S s: R packets/s".
"""

import os
import socket
import struct
import sys
import time

from scapy.layers.l2 import Ether
from scapy.layers.inet import TCP
from scapy.layers.inet6 import IPv6

NFRAMES = 65536
BATCH = 64


def csum16(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def addresses(spec, rnd):
    """spec as an address; a random one of its /64 when it ends in "::"."""
    if not spec.endswith("::"):
        return socket.inet_pton(socket.AF_INET6, spec)
    return socket.inet_pton(socket.AF_INET6, spec + "1")[:8] + rnd


def frames(src_mac, dst_mac, src_spec, dst_spec):
    tmpl = bytes(Ether(src=src_mac, dst=dst_mac) /
        IPv6(src="::1", dst="::1", hlim=64) /
        TCP(sport=1024, dport=80, flags="S", seq=1, window=64240,
        options=[("MSS", 1440)]))
    tcp = bytearray(tmpl[54:])
    out = []
    rnd = os.urandom(NFRAMES * 28)
    for i in range(NFRAMES):
        r = rnd[i * 28:(i + 1) * 28]
        src = addresses(src_spec, r[0:8])
        dst = addresses(dst_spec, r[8:16])
        tcp[0:2] = struct.pack("!H", 1024 + int.from_bytes(r[16:18],
            "big") % 64000)
        tcp[4:8] = r[18:22]
        tcp[16:18] = b"\0\0"
        pseudo = src + dst + struct.pack("!I3xB", len(tcp), 6)
        tcp[16:18] = struct.pack("!H", 0xffff - csum16(pseudo + bytes(tcp)))
        out.append(tmpl[:22] + src + dst + bytes(tcp))
    return out


def main(argv):
    if len(argv) != 8:
        sys.exit(__doc__.strip())
    ifname, src_mac, dst_mac, src, dst = argv[1:6]
    pps, seconds = float(argv[6]), float(argv[7])
    fr = frames(src_mac, dst_mac, src, dst)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    sent = 0
    t0 = time.monotonic()
    end = t0 + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        ahead = sent / pps - (now - t0)
        if ahead > 0:
            time.sleep(ahead)
        for _ in range(BATCH):
            try:
                s.send(fr[sent % NFRAMES])
            except OSError:
                pass    # a full queue: the packet is lost, as on a wire
            sent += 1
    took = time.monotonic() - t0
    print("sent %d in %.2f s: %d packets/s" % (sent, took, sent / took))


if __name__ == "__main__":
    main(sys.argv)
