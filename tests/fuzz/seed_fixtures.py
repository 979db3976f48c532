#!/usr/bin/python3
"""
Seed the libFuzzer corpora from the packet fixtures' pcaps.

    /usr/bin/python3 tests/fuzz/seed_fixtures.py VROUTER CORPUS_ROOT

Runs the packet fixtures (tests/fixtures/run.py -k) with VROUTER, reads
every input and output pcap they leave, and writes into
CORPUS_ROOT/<target>/ the part of each frame that the target takes:

    fuzz_pkt, fuzz_rthdr, fuzz_client_learn   the Ethernet frame
    fuzz_member_proto    the body of a membership message (ICMPv6 200)
    fuzz_nd_opts         the options of an NDP message (RS, RA, NS, NA,
                         redirect)
    fuzz_ripng           the UDP payload of a RIPng message (port 521)
    fuzz_dns             the UDP payload of a DNS query or answer
    fuzz_config          each case's configuration file, and the files of
                         tests/fixtures/configs/valid

A file is named by the SHA-1 of its content, as libFuzzer names what it
adds, so seeding twice adds nothing.  At most MAX_PER_TARGET new files
per target; a later -merge=1 keeps those that add coverage.
"""

import glob
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys

MAX_PER_TARGET = 400
FRAME_TARGETS = ("fuzz_pkt", "fuzz_rthdr", "fuzz_client_learn")
ND_TYPES = {133: 8, 134: 16, 135: 24, 136: 24, 137: 40}  # type: fixed part
EXT_HDRS = (0, 43, 60)       # hop-by-hop, routing, destination options


def read_pcap(path):
    """The frames of a classic pcap file, Ethernet or not."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off, frames = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def l4(frame):
    """(protocol, payload) after the IPv6 header and the extension
    headers that are simple to walk, or None."""
    if len(frame) < 54 or frame[12:14] != b"\x86\xdd":
        return None
    nh, off = frame[20], 54
    while nh in EXT_HDRS or nh == 44:
        if off + 8 > len(frame):
            return None
        hlen = 8 if nh == 44 else (frame[off + 1] + 1) * 8
        nh, off = frame[off], off + hlen
    return nh, frame[off:]


def pieces(frame):
    """(target, bytes) for every target that takes a part of frame."""
    for t in FRAME_TARGETS:
        yield t, frame
    got = l4(frame)
    if got is None:
        return
    proto, pl = got
    if proto == 58 and len(pl) >= 4:
        if pl[0] == 200:
            yield "fuzz_member_proto", pl[4:]
        elif pl[0] in ND_TYPES and len(pl) > ND_TYPES[pl[0]]:
            yield "fuzz_nd_opts", pl[ND_TYPES[pl[0]]:]
    elif proto == 17 and len(pl) > 8:
        sport, dport = struct.unpack("!HH", pl[:4])
        if 521 in (sport, dport):
            yield "fuzz_ripng", pl[8:]
        elif 53 in (sport, dport):
            yield "fuzz_dns", pl[8:]


class Corpus:
    def __init__(self, root):
        self.root, self.added = root, {}

    def add(self, target, data):
        if not data or self.added.get(target, 0) >= MAX_PER_TARGET:
            return
        d = os.path.join(self.root, target)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, hashlib.sha1(data).hexdigest())
        if os.path.exists(path):
            return
        with open(path, "wb") as f:
            f.write(data)
        self.added[target] = self.added.get(target, 0) + 1


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: seed_fixtures.py VROUTER CORPUS_ROOT")
    vrouter, root = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    fixtures = os.path.join(here, "..", "fixtures")
    out = subprocess.run(["/usr/bin/python3",
        os.path.join(fixtures, "run.py"), vrouter, "-k"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    dirs = sorted(set(re.findall(r"\(files in (\S+)\)", out)))
    corpus = Corpus(root)
    try:
        for d in dirs:
            for pcap in sorted(glob.glob(os.path.join(d, "*", "*.pcap"))):
                for frame in read_pcap(pcap):
                    for target, data in pieces(frame):
                        corpus.add(target, data)
            for cfg in sorted(glob.glob(os.path.join(d, "*", "*.json"))):
                with open(cfg, "rb") as f:
                    corpus.add("fuzz_config", f.read())
    finally:
        for d in dirs:
            if d.startswith("/tmp/vrouter-fx-"):
                shutil.rmtree(d, ignore_errors=True)
    for cfg in sorted(glob.glob(os.path.join(fixtures, "configs", "valid",
            "*"))):
        with open(cfg, "rb") as f:
            corpus.add("fuzz_config", f.read())
    for t in sorted(corpus.added):
        print("%-20s %d new seeds" % (t, corpus.added[t]))


if __name__ == "__main__":
    main()
