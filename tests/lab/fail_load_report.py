#!/usr/bin/python3
"""
Requests of test_fail_load.sh, from the logs of fail_load.lua, by window:

    fail_load_report.py LOG_PREFIX T_FAIL T_DOWN T_RESTORE T_UP T_END MEMBER

Times are wall-clock milliseconds.  A request belongs to the window in
which it was sent: "window" [T_FAIL, T_DOWN) (the failure not yet
detected), "after" [T_DOWN, T_RESTORE) (the member marked down),
"back" [T_UP, T_END).  It failed when it got no answer before the next
request of its thread, an answer other than 200, or an answer later than
TIMEOUT_MS.  Prints one line of key=value: per window the requests, the
failures, and the answers by MEMBER; before: the requests before T_FAIL.
"""

import glob
import sys

TIMEOUT_MS = 2000


def requests(prefix):
    """(sent_ms, ok, member or None) of every request that ended."""
    out = []
    for path in glob.glob(prefix + ".[0-9]*"):
        pending = None
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 2:
                    continue
                t = int(parts[0])
                if parts[1] == "Q":
                    if pending is not None:
                        out.append((pending, False, None))
                    pending = t
                elif parts[1] == "A" and pending is not None:
                    status = parts[2] if len(parts) > 2 else ""
                    name = parts[3] if len(parts) > 3 else None
                    ok = status == "200" and t - pending <= TIMEOUT_MS
                    out.append((pending, ok, name))
                    pending = None
    return out


def main():
    prefix = sys.argv[1]
    t_fail, t_down, t_restore, t_up, t_end = map(int, sys.argv[2:7])
    member = sys.argv[7]
    windows = [("before", 0, t_fail), ("window", t_fail, t_down),
        ("after", t_down, t_restore), ("back", t_up, t_end)]
    res = {}
    for name, lo, hi in windows:
        sel = [r for r in requests(prefix) if lo <= r[0] < hi]
        res[name] = len(sel)
        res[name + "_failed"] = sum(1 for r in sel if not r[1])
        res[name + "_by_member"] = sum(1 for r in sel if r[1] and
            r[2] == member)
    print(" ".join("%s=%d" % kv for kv in res.items()))
    # Where the failures fell, by 500 ms from T_FAIL (stderr, for logs).
    hist = {}
    for t, ok, _ in requests(prefix):
        if not ok and t >= t_fail:
            b = (t - t_fail) // 500 * 500
            hist[b] = hist.get(b, 0) + 1
    sys.stderr.write("failures by 500 ms from the failure: %s\n" %
        (" ".join("+%d:%d" % kv for kv in sorted(hist.items())) or "none"))


if __name__ == "__main__":
    main()
