#!/usr/bin/env python3
"""Python's reference parser on the same text, for scripts/bench.sh: parses FILE with
prometheus_client's text_string_to_metric_families ITERATIONS times after one warm-up
and prints one JSON line like `watchdog-bench prom-parse`."""
import json
import statistics
import sys
import time

from prometheus_client.parser import text_string_to_metric_families

path, iterations = sys.argv[1], int(sys.argv[2])
text = open(path, encoding="utf-8").read()


def parse():
    return sum(len(family.samples) for family in text_string_to_metric_families(text))


samples = parse()
walls = []
for _ in range(iterations):
    start = time.perf_counter()
    parse()
    walls.append((time.perf_counter() - start) * 1000)
median = statistics.median(walls)
print(json.dumps({"samples": samples, "bytes": len(text.encode()), "wall_ms_median": round(median, 3),
                  "samples_per_second": int(samples / (median / 1000))}))
