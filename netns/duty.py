#!/usr/bin/python3
"""netns/duty.py PERCENT: a fixed amount of CPU work, PERCENT of one CPU.

Busy for PERCENT ms of every 100 ms, asleep for the rest: the same work
on every host that runs it, so that hosts under different CPU limits
(lab.sh "cgroup") use the same CPU time and report different loads.
"""
import sys
import time

pct = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
busy = max(0.0, min(pct, 100.0)) / 1000.0
while True:
    t = time.process_time()
    while time.process_time() - t < busy:
        pass
    time.sleep(0.1 - busy)
