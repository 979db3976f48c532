"""
repro/stamp.py OUT.csv: read `dnsperf -v` on standard input (line
buffered) and stamp each answer with the wall-clock time it was read:
OUT.csv gets "time,latency_s,rcode" per answer; every other line goes
to standard output (dnsperf's status and summary).
"""
import sys
import time


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: stamp.py OUT.csv")
    with open(sys.argv[1], "w") as out:
        out.write("time,latency_s,rcode\n")
        for line in sys.stdin:
            now = time.time()
            if line.startswith("> "):
                f = line.split()
                try:
                    out.write("%.6f,%s,%s\n" % (now, float(f[-1]), f[1]))
                except (ValueError, IndexError):
                    sys.stdout.write(line)
            else:
                sys.stdout.write(line)


if __name__ == "__main__":
    main()
