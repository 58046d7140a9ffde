"""Two measurements without faults to check: detection latency and footprint."""

import re
import sys
import time
import urllib.request

from .common import now
from .oracle import parse_messages
from .process import metric, stop
from .smaps import describe as describe_mappings


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_latency(arguments, world, tcp, watchdog, rng, stopping):
    """Fault injected (the db port starts refusing) to its fire message accepted by the
    Telegram stand-in, one fault at a time, each at a random phase of the tick."""
    latencies = []
    for _ in range(arguments.faults):
        time.sleep(rng.uniform(0.2, 1.5))
        seen = len(world.accepted)
        tcp.close()
        injected = now()
        fire = wait_for(world, seen, "fire", "dependency_down:db", 60)
        tcp.open()
        if fire is None:
            stop(watchdog, stopping)
            sys.exit("latency: no fire within 60 s of a fault")
        latencies.append(fire - injected)
        if wait_for(world, len(world.accepted) - 1, "resolve", "dependency_down:db", 60) is None:
            stop(watchdog, stopping)
            sys.exit("latency: no resolve within 60 s of the end of a fault")
    stop(watchdog, stopping)
    print(f"detection latency over {len(latencies)} faults (db refuses; interval {arguments.interval}, "
          f"WATCHDOG_DEP_DOWN_AFTER=2): p50 {percentile(latencies, 0.5):.3f} s, "
          f"p99 {percentile(latencies, 0.99):.3f} s, max {max(latencies):.3f} s")


def wait_for(world, after, action, key, timeout):
    """The receive time of the first `action` of `key` among messages after index `after`."""
    deadline = now() + timeout
    while now() < deadline:
        for event_action, event_key, _, entry in parse_messages(list(world.accepted)[after:]):
            if event_action == action and event_key == key:
                return entry["received"]
        time.sleep(0.01)
    return None


def measure_footprint(arguments, listen, watchdog, world, stopping):
    """Resident memory and CPU with every configured source on: after 30 ticks and after
    `--ticks`; CPU per tick between the two."""
    def at_tick(target):
        # Every read of /metrics costs the watchdog CPU (about 1 ms): read it 4 times a
        # second, and count the ticks actually done.
        while (done := metric(listen, "watchdog_ticks_total") or 0) < target:
            if not watchdog.alive():
                sys.exit(f"footprint: the watchdog exited; see {watchdog.workdir}/stderr.log")
            time.sleep(0.25)
        return now(), watchdog.cpu_seconds(), watchdog.rss_kb(), done

    started, cpu_start, rss_idle, first = at_tick(30)
    series = [(30, rss_idle)]
    for checkpoint in range(1, 11):
        target = 30 + (arguments.ticks - 30) * checkpoint // 10
        ended, cpu_end, rss_end, last = at_tick(target)
        series.append((target, rss_end))
    ticks = max(int(last - first), 1)
    with open(f"/proc/{watchdog.process.pid}/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    collectors, errors = {}, 0.0
    with urllib.request.urlopen(f"http://{listen}/metrics", timeout=2) as answer:
        for line in answer.read().decode().splitlines():
            found = re.match(r'watchdog_collector_duration_seconds_(sum|count)\{collector="([^"]+)"\} (\S+)', line)
            if found:
                collectors.setdefault(found[2], {})[found[1]] = float(found[3])
            elif line.startswith("watchdog_collector_errors_total{"):
                errors += float(line.rsplit(" ", 1)[1])
    mappings = describe_mappings(watchdog.process.pid)
    status = stop(watchdog, stopping)
    print(f"sources:      {', '.join(sorted(collectors))}")
    print(f"mappings:     {mappings}")
    print(f"memory:       RSS {rss_idle} kB after 30 ticks, {rss_end} kB after {arguments.ticks} ticks, peak {peak} kB")
    print(f"rss by tick:  {', '.join(f'{tick}: {kb}' for tick, kb in series)} (kB)")
    print(f"cpu:          {(cpu_end - cpu_start) * 1000 / ticks:.2f} ms per tick over {ticks} ticks at "
          f"{arguments.interval} ({(ended - started) / ticks * 1000:.0f} ms wall per tick)")
    means = ", ".join(f"{name} {values['sum'] / max(values['count'], 1) * 1000:.1f}"
                      for name, values in sorted(collectors.items()) if "sum" in values)
    print(f"collectors:   mean wall ms per run: {means}; collector errors {int(errors or 0)}; "
          f"exit status {status}; messages {len(world.accepted)}")
