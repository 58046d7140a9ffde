#!/usr/bin/env python3
"""Writes a synthetic /proc of N processes for the scan benchmark.

    scripts/synthetic-proc.py DIR N

Each process has a realistic stat line and a command line; one in a hundred is a
pytest run, half of those old enough to match.
"""
import os
import sys
import time

root, count = sys.argv[1], int(sys.argv[2])
boot = int(time.time()) - 30 * 86400
os.makedirs(root, exist_ok=True)
with open(os.path.join(root, "stat"), "w") as f:
    f.write("cpu  1 2 3 4 5 6 7 0 0 0\nintr 1\nctxt 2\nbtime %d\nprocesses %d\n" % (boot, count))
now_ticks = 30 * 86400 * 100
for i in range(count):
    pid = 1000 + i
    directory = os.path.join(root, str(pid))
    os.makedirs(directory, exist_ok=True)
    if i % 100 == 0:
        name, cmdline = "python3", "python3\0-m\0pytest\0tests/test_%d.py\0-x\0" % i
        start = now_ticks - (7200 * 100 if i % 200 == 0 else 60 * 100)
    else:
        name, cmdline = "worker", "/usr/local/bin/worker\0--queue\0jobs-%d\0--concurrency\04\0" % i
        start = now_ticks - (i * 97) % (now_ticks - 1)
    with open(os.path.join(directory, "stat"), "w") as f:
        f.write(
            "%d (%s) S 1 %d %d 0 -1 4194560 1254 0 0 0 12 3 0 0 20 0 1 0 %d 8839168 1280 "
            "18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 0 0 0 17 1 0 0 0 0 0\n"
            % (pid, name, pid, pid, start)
        )
    with open(os.path.join(directory, "cmdline"), "w") as f:
        f.write(cmdline)
