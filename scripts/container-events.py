#!/usr/bin/env python3
"""Containers in real time (issue 20), measured against a real dockerd:

  container-events.py BINARY DOCKER_SOCKET ticks       # 20, then 50 running containers at 1 s ticks
  container-events.py BINARY DOCKER_SOCKET latency N   # N kills at a 30 s interval

`ticks`: CPU per tick of `watchdog run` watching the containers (host checks on,
console output), the Docker API requests it makes per idle tick (counted by a proxy on
its socket; the events stream is one long request, counted apart), and its resident
memory with the stream open. `latency`: a container's process killed with SIGKILL by
its host pid -> the fire message at a Telegram stand-in: p50, p99, max.

The containers are `bench-busybox` ones the caller (scripts/bench.sh) can run; this
script starts and removes its own.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.process import process_cpu_seconds, process_rss_kb  # noqa: E402

# One scratch folder for the proxy's socket and the watchdogs' working directories,
# removed when the script ends.
SCRATCH = tempfile.mkdtemp(prefix="watchdog-events-")
atexit.register(shutil.rmtree, SCRATCH, True)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness.common import CHAT_ID, LOCK, TOKEN, free_port, serve  # noqa: E402
from harness.telegram import telegram_handler  # noqa: E402
from harness.world import World  # noqa: E402


def docker(socket_path, *arguments):
    return subprocess.run(["docker", "-H", f"unix://{socket_path}", *arguments], check=True,
                          capture_output=True, text=True).stdout.strip()


def start_containers(socket_path, prefix, count):
    names = [f"{prefix}{i}" for i in range(1, count + 1)]
    for name in names:
        docker(socket_path, "run", "-d", "--name", name, "bench-busybox", "sleep", "3600")
    return names


def remove_containers(socket_path, names):
    if names:
        subprocess.run(["docker", "-H", f"unix://{socket_path}", "rm", "-f", *names], capture_output=True)


class CountingProxy:
    """A unix-socket proxy in front of dockerd that counts the requests passing through."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.path = os.path.join(tempfile.mkdtemp(dir=SCRATCH), "docker.sock")
        self.requests = []  # (monotonic time, request line)
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(self.path)
        self.listener.listen(64)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.socket(socket.AF_UNIX)
            server.connect(self.upstream)
            threading.Thread(target=self.pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(server, client, False), daemon=True).start()

    def pipe(self, source, target, counting):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if counting:
                    for line in data.split(b"\r\n"):
                        if line.startswith((b"GET ", b"POST ", b"HEAD ")):
                            with LOCK:
                                self.requests.append((time.monotonic(), line.decode(errors="replace")))
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def count(self, since):
        with LOCK:
            lines = [line for at, line in self.requests if at >= since]
        return [line for line in lines if "/events" not in line], [line for line in lines if "/events" in line]


def run_watchdog(binary, environment):
    base = {"PATH": "/usr/bin:/bin", "WATCHDOG_STATE_FILE": "", "WATCHDOG_COMPOSE_PROJECT": "",
            "WATCHDOG_LOG_LEVEL": "warning"}
    base.update(environment)
    return subprocess.Popen([binary, "run"], env=base, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tempfile.mkdtemp(dir=SCRATCH))


def ticks_done(listen):
    try:
        with urllib.request.urlopen(f"http://{listen}/metrics", timeout=2) as answer:
            for line in answer.read().decode().splitlines():
                if line.startswith("watchdog_ticks_total "):
                    return int(float(line.split()[1]))
    except OSError:
        return 0
    return 0


cpu_seconds = process_cpu_seconds
rss_kb = process_rss_kb


def wait_ticks(listen, process, target, poll=0.02):
    while ticks_done(listen) < target:
        if process.poll() is not None:
            sys.exit("the watchdog exited")
        time.sleep(poll)


def measure_ticks(binary, socket_path, count, measured_ticks=60):
    names = start_containers(socket_path, f"t{count}-", count)
    proxy = CountingProxy(socket_path)
    listen = f"127.0.0.1:{free_port()}"
    process = run_watchdog(binary, {"WATCHDOG_INTERVAL": "1s", "WATCHDOG_LISTEN": listen,
                                    "WATCHDOG_DOCKER_SOCK": proxy.path, "WATCHDOG_CONTAINERS": ",".join(names)})
    try:
        wait_ticks(listen, process, 5, poll=0.5)
        # Scraped once at each end, not polled: every scrape costs the watchdog CPU too.
        started, cpu_start, ticks_start = time.monotonic(), cpu_seconds(process.pid), ticks_done(listen)
        time.sleep(measured_ticks)
        cpu, ticks_end = cpu_seconds(process.pid) - cpu_start, ticks_done(listen)
        measured_ticks = max(1, ticks_end - ticks_start)
        requests, _ = proxy.count(started)
        _, streams = proxy.count(0)
        rss = rss_kb(process.pid)
        with open(f"/proc/{process.pid}/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        remove_containers(socket_path, names)
    kinds = {}
    for line in requests:
        path = line.split()[1].split("?")[0]
        kind = "list" if path.endswith("/containers/json") else "inspect" if path.endswith("/json") else path
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"{count} containers:  CPU {cpu * 1000 / measured_ticks:.2f} ms per tick over {measured_ticks} ticks at 1 s "
          f"(host checks and containers); Docker API requests per idle tick "
          f"{len(requests) / measured_ticks:.2f} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
          f"events streams opened {len(streams)} in the whole run; RSS {rss} kB with the stream open, peak {peak} kB")


def measure_latency(binary, socket_path, kills):
    world = World()
    telegram = serve(telegram_handler(world))
    names = start_containers(socket_path, "k", kills)
    listen = f"127.0.0.1:{free_port()}"
    process = run_watchdog(binary, {
        "WATCHDOG_INTERVAL": "30s", "WATCHDOG_LISTEN": listen, "WATCHDOG_DOCKER_SOCK": socket_path,
        "WATCHDOG_CONTAINERS": ",".join(names), "WATCHDOG_TELEGRAM_BOT_TOKEN": TOKEN,
        "WATCHDOG_TELEGRAM_CHAT_ID": CHAT_ID,
        "WATCHDOG_TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.server_address[1]}",
        "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100"})
    latencies = []
    try:
        wait_ticks(listen, process, 1)
        time.sleep(2)  # the stream opens just after the first tick
        for name in names:
            pid = int(docker(socket_path, "inspect", "-f", "{{.State.Pid}}", name))
            key = f"container_down:{name}<"
            killed = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            deadline = killed + 35
            while time.monotonic() < deadline:
                with LOCK:
                    seen = [m["received"] for m in world.accepted if key in m["text"]]
                if seen:
                    latencies.append(seen[0] - killed)
                    break
                time.sleep(0.002)
            else:
                latencies.append(float("inf"))
            # Telegram allows about one message a second per chat and the outbox paces to
            # it: the next kill waits past that, so what is measured is detection.
            time.sleep(1.5)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        remove_containers(socket_path, names)
        telegram.shutdown()
    ordered = sorted(latencies)

    def share(fraction):
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]

    print(f"death -> chat:     {len(ordered)} kills by host pid (SIGKILL) at a 30 s interval: "
          f"p50 {share(0.5) * 1000:.0f} ms, p99 {share(0.99) * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms")


def main():
    binary, socket_path, mode = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    if mode == "ticks":
        for count in (20, 50):
            measure_ticks(binary, socket_path, count)
    elif mode == "latency":
        measure_latency(binary, socket_path, int(sys.argv[4]) if len(sys.argv) > 4 else 20)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
