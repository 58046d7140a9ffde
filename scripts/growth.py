#!/usr/bin/env python3
"""Cost as work grows: resident memory and CPU per tick of `watchdog run` watching 10,
100 and 1,000 containers, and scanning 100, 1,000 and 5,000 processes.

    python3 scripts/growth.py BINARY [--plot docs/footprint-growth.png] [--ticks 150]

Containers: a Docker daemon with N running compose containers (scripts/docker-standin.py,
the same shapes as the tests' stand-in, which the tests check against the real docker
CLI; a real dockerd with vfs storage cannot hold 1,000 containers here in reasonable
time) watched by project. Processes: the real /proc with N extra idle processes
(`sleep`), the scan on with its default patterns (a table of N+ processes that match
nothing, the common case). Each point: host checks plus that one source, ticks at
200 ms (`--harness-tick-interval`, 5x the activity of the 1 s minimum), resident memory
(VmRSS) and CPU per tick (utime+stime over the ticks after the first 20). A line per
point, then the table in Markdown; with --plot, the two curves (matplotlib, installed
from PyPI when missing). Everything it starts it stops; its directory is removed.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness.process import metric, process_cpu_seconds, process_rss_kb  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def collector_mean_ms(listen, collector):
    total = count = None
    with urllib.request.urlopen(f"http://{listen}/metrics", timeout=5) as answer:
        for line in answer.read().decode().splitlines():
            if f'collector="{collector}"' not in line:
                continue
            if line.startswith("watchdog_collector_duration_seconds_sum{"):
                total = float(line.rsplit(" ", 1)[1])
            elif line.startswith("watchdog_collector_duration_seconds_count{"):
                count = float(line.rsplit(" ", 1)[1])
    return total / count * 1000 if total is not None and count else None


def measure(binary, environment, workdir, ticks, collector):
    """RSS after `ticks` ticks and CPU ms per tick over the ticks after the first 20."""
    listen = f"127.0.0.1:{free_port()}"
    env = {
        "PATH": "/usr/bin:/bin", "WATCHDOG_LISTEN": listen, "WATCHDOG_STATE_FILE": "",
        "WATCHDOG_LOG_LEVEL": "notice", "WATCHDOG_MEM_PCT": "99", "WATCHDOG_DISK_PATHS": "/",
    }
    env.update(environment)
    with open(os.path.join(workdir, "stderr.log"), "ab") as stderr:
        process = subprocess.Popen([binary, "run", "--harness-tick-interval", "200ms"], env=env, cwd=workdir,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        def wait(count):
            # Each read of /metrics costs the watchdog about 1 ms of CPU: twice a second.
            deadline = time.monotonic() + 60 + count
            while (metric(listen, "watchdog_ticks_total") or 0) < count:
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"growth: the watchdog stopped ticking; see {workdir}/stderr.log")
                time.sleep(0.5)
        wait(20)
        start_ticks, start_cpu = metric(listen, "watchdog_ticks_total"), process_cpu_seconds(process.pid)
        wait(20 + ticks)
        end_ticks, end_cpu = metric(listen, "watchdog_ticks_total"), process_cpu_seconds(process.pid)
        return {
            "rss_kb": process_rss_kb(process.pid),
            "cpu_ms": (end_cpu - start_cpu) * 1000 / max(end_ticks - start_ticks, 1),
            "collector_ms": collector_mean_ms(listen, collector),
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def containers(binary, workdir, count, ticks):
    sock = os.path.join(workdir, "docker.sock")
    standin = subprocess.Popen([sys.executable, os.path.join(HERE, "docker-standin.py"), sock, "--count", str(count)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        standin.stdout.readline()
        return measure(binary, {"WATCHDOG_DOCKER_SOCK": sock, "WATCHDOG_COMPOSE_PROJECT": "big"}, workdir, ticks,
                       "docker")
    finally:
        standin.terminate()
        standin.wait()


def processes(binary, workdir, count, ticks):
    sleepers = [subprocess.Popen(["sleep", "3600"], stdin=subprocess.DEVNULL) for _ in range(count)]
    try:
        return measure(binary, {"WATCHDOG_PROC_ENABLED": "true", "WATCHDOG_DOCKER_SOCK": "/nonexistent"}, workdir,
                       ticks, "processes")
    finally:
        for sleeper in sleepers:
            sleeper.kill()
        for sleeper in sleepers:
            sleeper.wait()


def plot(rows, path):
    try:
        import matplotlib
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "matplotlib"], check=True)
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    # Linear axes: growth that is linear looks linear. One row per kind of work.
    figure, axes = pyplot.subplots(2, 2, figsize=(10, 7), dpi=100)
    for row, (kind, marker, label) in enumerate((("containers", "o", "containers watched"),
                                                 ("processes", "s", "processes on the host"))):
        points = [point for point in rows if point["kind"] == kind]
        counts = [point["count"] for point in points]
        memory, cpu = axes[row]
        memory.plot(counts, [point["rss_kb"] / 1024 for point in points], marker=marker, color=f"C{row}")
        cpu.plot(counts, [point["cpu_ms"] for point in points], marker=marker, color=f"C{row}")
        for axis, what in ((memory, "resident memory (MB)"), (cpu, "CPU per tick (ms)")):
            axis.set_xlabel(label)
            axis.set_ylabel(what)
            axis.set_xlim(left=0)
            axis.set_ylim(bottom=0)
            axis.grid(True, alpha=0.3)
    figure.suptitle("watchdog: host checks plus one growing source, 200 ms ticks")
    figure.tight_layout()
    figure.savefig(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--ticks", type=int, default=150)
    parser.add_argument("--plot")
    parser.add_argument("--containers", default="10,100,1000")
    parser.add_argument("--processes", default="100,1000,5000")
    arguments = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="wd-growth-")
    rows = []
    try:
        for kind, counts, run in (("containers", arguments.containers, containers),
                                  ("processes", arguments.processes, processes)):
            for count in (int(value) for value in counts.split(",") if value):
                result = run(os.path.abspath(arguments.binary), workdir, count, arguments.ticks)
                result.update(kind=kind, count=count)
                rows.append(result)
                collector = f"{result['collector_ms']:.2f}" if result["collector_ms"] is not None else "n/a"
                print(f"growth {kind} {count}: RSS {result['rss_kb']} kB, CPU {result['cpu_ms']:.2f} ms per tick, "
                      f"{kind[:-1] if kind == 'containers' else 'process'} source {collector} ms wall per run",
                      flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("| work | resident memory | CPU per tick | the source's run (wall) |")
    print("|---|---|---|---|")
    for row in rows:
        collector = f"{row['collector_ms']:.1f} ms" if row["collector_ms"] is not None else "n/a"
        print(f"| {row['count']:,} {row['kind']} | {row['rss_kb'] / 1024:.1f} MB | {row['cpu_ms']:.2f} ms | "
              f"{collector} |")
    if arguments.plot:
        plot(rows, arguments.plot)
        print(f"\nplot: {arguments.plot}")


if __name__ == "__main__":
    main()
