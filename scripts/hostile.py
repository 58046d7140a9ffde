#!/usr/bin/env python3
"""Hostile inputs against a built watchdog binary: what each costs in peak resident
memory, tick time and messages (scripts/bench.sh, section `hostile`; BENCHMARKS.md).

    python3 scripts/hostile.py BINARY [--ticks 20] [--only NAME ...]

Each case runs the binary alone, against local stand-ins on loopback only, and prints
one line. Standard library only; the Telegram stand-in is the evidence harness's (scripts/harness).
"""

import argparse
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.common import CHAT_ID, TOKEN, free_port, serve  # noqa: E402
from harness.process import metric  # noqa: E402
from harness.telegram import telegram_handler  # noqa: E402
from harness.world import World  # noqa: E402


def body_server(content_type, body, trickle=None):
    """Serves `body` on every GET and POST; with `trickle`, one byte per that many seconds."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                if trickle is None:
                    self.wfile.write(body)
                    return
                for index in range(len(body)):
                    self.wfile.write(body[index:index + 1])
                    self.wfile.flush()
                    time.sleep(trickle)
            except OSError:
                pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.do_GET()

        def log_message(self, *args):
            pass

    return serve(Handler)


def status_of(pid):
    values = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in ("VmHWM", "VmRSS"):
                    values[name] = int(value.split()[0])
    except OSError:
        pass
    return values


class Run:
    """One `watchdog run` with the endpoint on, in its own directory."""

    def __init__(self, binary, environment, workdir):
        self.listen = f"127.0.0.1:{free_port()}"
        env = {
            "PATH": "/usr/bin:/bin", "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LISTEN": self.listen,
            "WATCHDOG_STATE_FILE": os.path.join(workdir, "state.json"), "WATCHDOG_LOG_LEVEL": "notice",
            "WATCHDOG_DISK_PATHS": "/", "WATCHDOG_MEM_PCT": "99",
        }
        env.update(environment)
        env.update({k: v for k, v in os.environ.items() if k.startswith("MALLOC_")})
        self.state_file = env["WATCHDOG_STATE_FILE"]
        self.stderr = open(os.path.join(workdir, "stderr.log"), "wb")
        self.process = subprocess.Popen([binary, "run"], env=env, cwd=workdir, stdout=subprocess.DEVNULL,
                                        stderr=self.stderr)
        self.peak_kb = 0

    def sample(self):
        self.peak_kb = max(self.peak_kb, status_of(self.process.pid).get("VmHWM", 0))

    def ticks(self):
        return metric(self.listen, "watchdog_tick_duration_seconds_count") or 0

    def wait_ticks(self, count, limit):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self.process.poll() is None:
            self.sample()
            if self.ticks() >= count:
                return True
            time.sleep(0.2)
        return False

    def tick_mean_ms(self):
        total = metric(self.listen, "watchdog_tick_duration_seconds_sum")
        count = metric(self.listen, "watchdog_tick_duration_seconds_count")
        return None if not count else total / count * 1000

    def healthz_ms(self, timeout=10):
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://{self.listen}/healthz", timeout=timeout) as answer:
                answer.read()
                return (time.monotonic() - started) * 1000, answer.status
        except Exception as error:  # an answer that never came is the result
            return None, type(error).__name__

    def stop(self):
        """Resident memory now, and the exit status if it died before (None if not).
        A watchdog that does not exit within 10 s of SIGTERM is killed and says so."""
        self.sample()
        rss = status_of(self.process.pid).get("VmRSS", 0)
        crashed = self.process.poll()
        if crashed is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                crashed = "no exit within 10 s of SIGTERM, killed"
        self.stderr.close()
        return rss, crashed


def mb(kb):
    return f"{kb / 1024:.1f} MB"


def case_state_file(binary, ticks, workdir, megabytes, body_bytes):
    """A state file of about `megabytes` MB: a valid outbox of messages of `body_bytes`
    (small ones are many JSON values, which is what costs a decoder memory)."""
    count = megabytes * 1_000_000 // (body_bytes + 40)
    message = {"id": "", "body": "x" * body_bytes, "silent": False}
    with open(os.path.join(workdir, "state.json"), "w") as state:
        state.write('{"version":1,"savedAt":"2026-12-01T00:00:00Z",'
                    '"engine":{"alerts":{},"collectors":{},"samples":{}},"outboxes":{"console":[')
        for index in range(count):
            message["id"] = f"m{index}"
            state.write(("," if index else "") + json.dumps(message))
        state.write("]}}")
    size = os.path.getsize(os.path.join(workdir, "state.json"))
    run = Run(binary, {"WATCHDOG_CONSOLE": "true"}, workdir)
    reached = run.wait_ticks(ticks, 120)
    rss, crashed = run.stop()
    aside = any(".corrupt-" in name for name in os.listdir(workdir))
    return (f"state file {size / 1e6:.0f} MB: peak {mb(run.peak_kb)}, after {mb(rss)}, "
            f"{'set aside' if aside else 'loaded'}, ticks {'reached' if reached else 'NOT reached'}"
            + (f", exited {crashed}" if crashed is not None else ""))


def orchestrator_case(binary, ticks, workdir, label, content_type, body, rules=""):
    world = World()
    telegram = serve(telegram_handler(world))
    orchestrator = body_server(content_type, body)
    environment = {
        "WATCHDOG_ORCH_METRICS_URL": f"http://127.0.0.1:{orchestrator.server_address[1]}/metrics",
        "WATCHDOG_AGENT_HUNG_AFTER": "1s", "WATCHDOG_COLLECT_TIMEOUT": "30s",
        "WATCHDOG_TELEGRAM_BOT_TOKEN": TOKEN, "WATCHDOG_TELEGRAM_CHAT_ID": CHAT_ID,
        "WATCHDOG_TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.server_address[1]}",
    }
    if rules:
        environment["WATCHDOG_RULES"] = rules
    run = Run(binary, environment, workdir)
    reached = run.wait_ticks(ticks, 300)
    healthz, _ = run.healthz_ms()
    tick = run.tick_mean_ms()
    time.sleep(2)  # the worker sends what the last tick queued
    queued = metric(run.listen, "watchdog_outbox_depth") or 0
    state = os.path.getsize(run.state_file) if os.path.exists(run.state_file) else 0
    rss, crashed = run.stop()
    orchestrator.shutdown()
    telegram.shutdown()
    return (f"{label} ({len(body) / 1e6:.1f} MB): peak {mb(run.peak_kb)}, after {mb(rss)}, "
            f"tick {tick:.0f} ms mean" if tick is not None else f"{label}: no tick metrics") + (
        f", /healthz {healthz:.0f} ms" if healthz is not None else ", /healthz no answer") + (
        f", state file {state / 1e6:.2f} MB, {len(world.accepted)} Telegram messages sent"
        f" and {queued:.0f} waiting"
        f"{' (orchestrator down among them)' if any('orchestrator' in m['text'].lower() and 'down' in m['text'].lower() for m in world.accepted) else ''}"
        f", {ticks} ticks {'reached' if reached else 'NOT reached'}"
        + (f", exited {crashed}" if crashed is not None else ""))


def case_baseline(binary, ticks, workdir):
    body = f'{{"schema_version":1,"generated_at":{time.time() + 3600:.0f},"agents":[]}}'.encode()
    return orchestrator_case(binary, ticks, workdir, "baseline: a sane envelope", "application/json", body)


def case_agents(binary, ticks, workdir):
    agents = ",".join(f'{{"run_id":"run-{i}","cpu_ticks":7}}' for i in range(100_000))
    body = f'{{"schema_version":1,"generated_at":{time.time() + 3600:.0f},"agents":[{agents}]}}'.encode()
    return orchestrator_case(binary, ticks, workdir, "envelope of 100,000 hung agents", "application/json", body)


def case_agents_full(binary, ticks, workdir):
    """100,000 agents with every field of the envelope (about 10 MB): over the 4 MiB a
    body could be before issue 29, when it read as a failed fetch."""
    agents = ",".join(
        f'{{"run_id":"run-{i}","job_id":"job-{i % 97}","pid":{10_000 + i},"cpu_ticks":{918_273 + i},'
        f'"started_at":"2026-11-23T11:02:10Z"}}' for i in range(100_000))
    body = (f'{{"schema_version":1,"generated_at":{time.time() + 3600:.0f},'
            f'"queue":{{"counts":{{"queued":3,"failed":0}}}},"agents":[{agents}]}}').encode()
    return orchestrator_case(binary, ticks, workdir, "envelope of 100,000 agents, every field", "application/json",
                             body)


def case_series(binary, ticks, workdir):
    lines = ["# TYPE queue_depth gauge"] + [f'queue_depth{{queue="q{i}",shard="s{i % 16}"}} 10' for i in range(50_000)]
    body = ("\n".join(lines) + "\n").encode()
    return orchestrator_case(binary, ticks, workdir, "50,000 series matching one rule", "text/plain; version=0.0.4",
                             body, rules="deep: queue_depth > 5")


def once_collector_ms(binary, url, workdir):
    env = {"PATH": "/usr/bin:/bin", "WATCHDOG_ORCH_METRICS_URL": url, "WATCHDOG_STATE_FILE": "",
           "WATCHDOG_LISTEN": "off", "WATCHDOG_HTTP_TIMEOUT": "5s"}
    done = subprocess.run([binary, "once", "--json", "--dry-run"], env=env, cwd=workdir, capture_output=True,
                          timeout=60)
    document = json.loads(done.stdout)
    collector = next(c for c in document["collectors"] if c["name"] == "orchestrator")
    reading = next((r for r in document.get("readings", []) if r.get("source") == "orchestrator"), {})
    return collector["duration_ms"], json.dumps(reading.get("reading", reading))[:80]


def case_refused(binary, ticks, workdir):
    refused_ms, refused = once_collector_ms(binary, f"http://127.0.0.1:{free_port()}/metrics", workdir)
    unknown_ms, unknown = once_collector_ms(binary, "http://no-such-host.invalid:8080/metrics", workdir)
    return (f"orchestrator fetch, HTTP_TIMEOUT=5s: refused {refused_ms:.1f} ms, unknown host {unknown_ms:.1f} ms")


def case_trickle(binary, ticks, workdir):
    body = b'{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1}}}'
    server = body_server("application/json", body, trickle=0.2)
    env = {"PATH": "/usr/bin:/bin", "WATCHDOG_STATE_FILE": "", "WATCHDOG_LISTEN": "off", "WATCHDOG_HTTP_TIMEOUT": "3s",
           "WATCHDOG_TELEGRAM_BOT_TOKEN": TOKEN, "WATCHDOG_TELEGRAM_CHAT_ID": CHAT_ID,
           "WATCHDOG_TELEGRAM_API_URL": f"http://127.0.0.1:{server.server_address[1]}"}
    started = time.monotonic()
    done = subprocess.run([binary, "test-notify", "--channel", "telegram"], env=env, cwd=workdir,
                          capture_output=True, timeout=120)
    elapsed = time.monotonic() - started
    server.shutdown()
    said = (done.stdout + done.stderr).decode(errors="replace").strip().splitlines()
    answer = next((line for line in said if "telegram" in line), said[-1] if said else "")
    return f"Telegram answering 1 byte / 200 ms, HTTP_TIMEOUT=3s: send took {elapsed:.1f} s ({answer[:70]})"


def case_held(binary, ticks, workdir):
    run = Run(binary, {}, workdir)
    run.wait_ticks(1, 30)
    host, port = run.listen.split(":")
    results = []
    held = []
    for count in (64, 300):
        while len(held) < count:
            connection = socket.create_connection((host, int(port)))
            held.append(connection)
        time.sleep(1.5)
        healthz, outcome = run.healthz_ms(timeout=10)
        results.append(f"{count} held: " + (f"{healthz:.0f} ms" if healthz is not None else f"no answer in 10 s ({outcome})"))
    for connection in held:
        connection.close()
    run.stop()
    return "/healthz while a client holds idle connections: " + ", ".join(results)


def case_docker(binary, ticks, workdir, count):
    """A Docker daemon with `count` compose containers (scripts/docker-standin.py: a
    12.7 MiB list at 10,000) watched at a 5 s interval: peak memory, tick time, and that
    the daemon was never taken for unreachable."""
    sock = os.path.join(workdir, "docker.sock")
    standin = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "docker-standin.py"), sock, "--count", str(count)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ready = standin.stdout.readline().decode().strip()
    run = Run(binary, {"WATCHDOG_DOCKER_SOCK": sock, "WATCHDOG_COMPOSE_PROJECT": "big", "WATCHDOG_INTERVAL": "5s"},
              workdir)
    wanted = min(ticks, 6)
    reached = run.wait_ticks(wanted, 120)
    tick = run.tick_mean_ms()
    docker_ms = None
    try:
        with urllib.request.urlopen(f"http://{run.listen}/metrics", timeout=5) as answer:
            for line in answer.read().decode().splitlines():
                if line.startswith("watchdog_collector_duration_seconds_sum{") and 'collector="docker"' in line:
                    docker_sum = float(line.rsplit(" ", 1)[1])
                if line.startswith("watchdog_collector_duration_seconds_count{") and 'collector="docker"' in line:
                    docker_ms = docker_sum / float(line.rsplit(" ", 1)[1]) * 1000
        with urllib.request.urlopen(f"http://{run.listen}/alerts", timeout=5) as answer:
            firing = [alert.get("key") for alert in json.loads(answer.read())]
    except (OSError, ValueError, NameError, ZeroDivisionError):
        firing = ["(no answer)"]
    rss, crashed = run.stop()
    standin.terminate()
    standin.wait()
    with open(os.path.join(workdir, "stderr.log"), errors="replace") as log:
        text = log.read()
    warnings = text.count("source over a limit")
    return (f"Docker with {count:,} containers ({ready.split(': ', 1)[-1]}), 5 s interval: peak {mb(run.peak_kb)}, "
            f"after {mb(rss)}, tick {tick:.0f} ms mean" if tick is not None else "no tick metrics") + (
        f", docker collector {docker_ms:.0f} ms mean" if docker_ms is not None else "") + (
        f", firing: {', '.join(firing) or 'nothing'}, {warnings} limit warning(s)"
        f", {wanted} ticks {'reached' if reached else 'NOT reached'}"
        + (f", exited {crashed}" if crashed is not None else ""))


CASES = {
    "docker-4k": lambda b, t, w: case_docker(b, t, w, 4_000),
    "docker-10k": lambda b, t, w: case_docker(b, t, w, 10_000),
    "baseline": case_baseline,
    "state-50mb": lambda b, t, w: case_state_file(b, t, w, 50, 100),
    "state-15mb": lambda b, t, w: case_state_file(b, t, w, 15, 4000),
    "state-8mb": lambda b, t, w: case_state_file(b, t, w, 8, 100),
    "agents": case_agents,
    "agents-full": case_agents_full,
    "series": case_series,
    "refused": case_refused,
    "trickle": case_trickle,
    "held": case_held,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--ticks", type=int, default=20)
    parser.add_argument("--only", nargs="*", default=list(CASES))
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)
    for name in arguments.only:
        workdir = tempfile.mkdtemp(prefix=f"watchdog-hostile-{name}-")
        try:
            print(f"hostile {name}: {CASES[name](binary, arguments.ticks, workdir)}", flush=True)
        except Exception as error:  # one case failing must not hide the others
            print(f"hostile {name}: failed: {type(error).__name__}: {error}", flush=True)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
