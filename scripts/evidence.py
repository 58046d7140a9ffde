#!/usr/bin/env python3
"""Fault-injection harness for scripts/soak.sh and scripts/crash.sh (issue 9).

Runs the release binary against local stand-ins that behave like the real peers and
injects faults on a random schedule it records:

  orchestrator   GET /metrics, a schema_version 1 envelope; faults: down (503 with an
                 HTML page), stale (generated_at stops moving), hung (run-1's cpu_ticks
                 stop moving)
  dependencies   api = http (fault: the answer never comes within the HTTP timeout),
                 db = tcp (fault: the port refuses connections)
  heartbeat      the harness pings /ping/soak-job every 200 ms (fault: it stops)
  Telegram       POST /bot<token>/sendMessage like the Bot API (faults: 429 with
                 retry_after, 500, no answer until the client times out)

Then it compares the faults with what the Telegram stand-in accepted:
  - every fault gives exactly one fire and then one resolve of its key, in order (the
    k-th fire after the k-th fault began, the k-th resolve after it ended);
  - nothing else arrives (no other key, no repeat: the cooldown is longer than the run);
  - soak: resident memory after warm-up grows by at most 1 MB;
  - crash: the watchdog is killed with SIGKILL at random moments and restarted on the
    same state file; a message may arrive twice only if a kill fell while it was in
    flight; the state file parses after every kill and is never moved aside;
  - no secret appears in any log line.

  evidence.py soak BINARY --ticks 10000 [--seed N]
  evidence.py crash BINARY --kills 50 [--seed N]

scripts/bench.sh uses the same stand-ins for two measurements without faults to check:
  evidence.py latency BINARY --interval 1s --faults 100     fault -> fire message, p50/p99
  evidence.py footprint BINARY --ticks 1000 [--env K=V]...  RSS and CPU per tick

Prints a report and exits 1 when a check fails. Loopback only; standard library only.
"""

import argparse
import glob
import http.server
import json
import os
import random
import re
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TOKEN = "7345012345:AAF-soak-harness-secret-token-do-not-log"
PING_TOKEN = "ping-secret-3f9a1c77e2"
ORCH_SECRET = "orch-query-secret-81d2"
DEP_PASSWORD = "dep-password-5e0b"
SECRETS = [TOKEN, TOKEN.split(":")[1], PING_TOKEN, ORCH_SECRET, DEP_PASSWORD]
CHAT_ID = "424242"
HTTP_TIMEOUT = 0.3
LOCK = threading.Lock()


def now():
    return time.monotonic()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class World:
    """What the stand-ins serve right now; the scheduler changes it."""

    def __init__(self):
        self.orchestrator = "ok"  # ok | down | stale | hung
        self.api = "ok"  # ok | hang
        self.db = "ok"  # ok | refuse
        self.pinging = True
        self.telegram = "ok"  # ok | 429 | 500 | timeout
        self.generated_at = time.time()
        self.cpu_ticks = 1000
        self.accepted = []  # dicts: text, received, answered
        self.telegram_answers = {"ok": 0, "429": 0, "500": 0, "timeout": 0, "invalid": 0}
        self.send_gaps = []
        self.answer_delay = (0.0, 0.0)  # crash: accepted messages are answered late, so kills fall in flight


def orchestrator_handler(world):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if not self.path.startswith("/metrics"):
                return self.answer(404, "text/plain", b"not found")
            with LOCK:
                state = world.orchestrator
                if state != "stale":
                    world.generated_at = time.time()
                if state != "hung":
                    world.cpu_ticks += 7
                generated_at, cpu_ticks = world.generated_at, world.cpu_ticks
            if state == "down":
                return self.answer(503, "text/html", b"<html><body>502 Bad Gateway</body></html>")
            envelope = {
                "schema_version": 1,
                "generated_at": generated_at,
                "queue": {"counts": {"queued": 1, "running": 1, "failed": 3, "done": 100}},
                "agents": [{"run_id": "run-1", "job_id": "job-1", "pid": 4242, "cpu_ticks": cpu_ticks,
                            "started_at": "2026-11-23T11:02:10Z"}],
            }
            self.answer(200, "application/json", json.dumps(envelope).encode())

        def answer(self, status, content_type, body):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def api_handler(world):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with LOCK:
                hanging = world.api == "hang"
            if hanging:
                time.sleep(HTTP_TIMEOUT * 4)
            try:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return Handler


class TCPDependency:
    """A TCP port that accepts while healthy and refuses (nothing listens) in a fault."""

    def __init__(self):
        self.port = free_port()
        self.listener = None
        self.open()

    def open(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.close()

    def close(self):
        listener, self.listener = self.listener, None
        if listener:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            listener.close()


def telegram_handler(world):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            received = now()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path != f"/bot{TOKEN}/sendMessage":
                return self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            try:
                request = json.loads(body)
                text = request["text"]
                chat = str(request["chat_id"])
            except (ValueError, KeyError, TypeError):
                with LOCK:
                    world.telegram_answers["invalid"] += 1
                return self.reply(400, {"ok": False, "error_code": 400,
                                        "description": "Bad Request: message text is empty"})
            if chat != CHAT_ID:
                with LOCK:
                    world.telegram_answers["invalid"] += 1
                return self.reply(400, {"ok": False, "error_code": 400,
                                        "description": "Bad Request: chat not found"})
            # Telegram counts 4096 UTF-16 units after entity parsing: tags are not text.
            visible = html_unescape(re.sub(r"<[^>]*>", "", text))
            if len(visible.encode("utf-16-le")) // 2 > 4096:
                with LOCK:
                    world.telegram_answers["invalid"] += 1
                return self.reply(400, {"ok": False, "error_code": 400,
                                        "description": "Bad Request: message is too long"})
            with LOCK:
                mode = world.telegram
            if mode == "429":
                with LOCK:
                    world.telegram_answers["429"] += 1
                return self.reply(429, {"ok": False, "error_code": 429,
                                        "description": "Too Many Requests: retry after 1",
                                        "parameters": {"retry_after": 1}})
            if mode == "500":
                with LOCK:
                    world.telegram_answers["500"] += 1
                return self.reply(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
            if mode == "timeout":
                with LOCK:
                    world.telegram_answers["timeout"] += 1
                time.sleep(HTTP_TIMEOUT * 4)  # the client gave up; the message was not taken
                self.close_connection = True
                return
            delay = random.uniform(*world.answer_delay)
            with LOCK:
                if world.accepted:
                    world.send_gaps.append(received - world.accepted[-1]["received"])
                message_id = len(world.accepted) + 1
                entry = {"text": text, "received": received, "answered": None}
                world.accepted.append(entry)
                world.telegram_answers["ok"] += 1
            time.sleep(delay)
            self.reply(200, {"ok": True, "result": {"message_id": message_id, "date": int(time.time()),
                                                    "chat": {"id": int(CHAT_ID), "type": "private"},
                                                    "text": text}})
            entry["answered"] = now()

        def reply(self, status, payload):
            body = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return Handler


def serve(handler):
    server = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# What each kind of fault is expected to fire, and how it is switched on and off.
FAULT_KEYS = {
    "orchestrator-down": "orchestrator_down",
    "orchestrator-stale": "orchestrator_stale",
    "agent-hung": "agent_hung:run-1",
    "dependency-hang": "dependency_down:api",
    "dependency-refuse": "dependency_down:db",
    "heartbeat-missed": "heartbeat_missed:soak-job",
}


class Scheduler:
    """Lanes of faults, each lane one fault at a time with random gaps; every switch is
    recorded with its time."""

    def __init__(self, world, tcp, rng, lanes):
        self.world, self.tcp, self.rng, self.lanes = world, tcp, rng, lanes
        self.faults = []  # dicts: kind, key, start, end
        self.telegram_faults = []
        self.stopping = threading.Event()
        self.threads = []

    def start(self):
        for lane in self.lanes:
            thread = threading.Thread(target=self.run_lane, args=(lane,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def run_lane(self, lane):
        kinds, duration, gap = lane
        while not self.stopping.wait(self.rng.uniform(*gap)):
            kind = self.rng.choice(kinds)
            self.switch(kind, True)
            started = now()
            time.sleep(self.rng.uniform(*duration))  # a fault runs its course, even when stopping
            self.switch(kind, False)
            record = {"kind": kind, "start": started, "end": now()}
            with LOCK:
                if kind.startswith("telegram-"):
                    self.telegram_faults.append(record)
                else:
                    record["key"] = FAULT_KEYS[kind]
                    self.faults.append(record)

    def switch(self, kind, on):
        world = self.world
        with LOCK:
            if kind == "orchestrator-down":
                world.orchestrator = "down" if on else "ok"
            elif kind == "orchestrator-stale":
                world.orchestrator = "stale" if on else "ok"
            elif kind == "agent-hung":
                world.orchestrator = "hung" if on else "ok"
            elif kind == "dependency-hang":
                world.api = "hang" if on else "ok"
            elif kind == "heartbeat-missed":
                world.pinging = not on
            elif kind.startswith("telegram-"):
                world.telegram = kind.split("-", 1)[1] if on else "ok"
        if kind == "dependency-refuse":
            self.tcp.close() if on else self.tcp.open()


class Watchdog:
    """The binary under test, restartable on the same state file and log files."""

    def __init__(self, binary, environment, workdir, interval):
        self.binary, self.environment, self.workdir, self.interval = os.path.abspath(binary), environment, workdir, interval
        self.process = None
        self.stdout = open(os.path.join(workdir, "stdout.log"), "ab")
        self.stderr = open(os.path.join(workdir, "stderr.log"), "ab")

    def start(self):
        # Below 1 s only the harness option can set the interval (SPEC §2.1 keeps 1 s).
        fast = self.interval.endswith("ms")
        if not fast:
            self.environment["WATCHDOG_INTERVAL"] = self.interval
        self.process = subprocess.Popen(
            [self.binary, "run"] + (["--harness-tick-interval", self.interval] if fast else []),
            env=self.environment, stdout=self.stdout, stderr=self.stderr, cwd=self.workdir)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kb(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None


def metric(listen, name):
    try:
        with urllib.request.urlopen(f"http://{listen}/metrics", timeout=2) as answer:
            for line in answer.read().decode().splitlines():
                if line.startswith(name + " ") or line.startswith(name + "{"):
                    return float(line.rsplit(" ", 1)[1])
    except OSError:
        return None
    return None


def pinger(world, listen, stopping):
    while not stopping.is_set():
        with LOCK:
            pinging = world.pinging
        if pinging:
            request = urllib.request.Request(f"http://{listen}/ping/soak-job", method="POST",
                                             headers={"Authorization": f"Bearer {PING_TOKEN}"})
            try:
                urllib.request.urlopen(request, timeout=1).read()
            except OSError:
                pass  # the watchdog is restarting (crash mode)
        stopping.wait(0.2)


MESSAGE_LINE = re.compile(r"^(🔴|🔁|🟢) .*?<code>(.+?)</code>")
ACTIONS = {"🔴": "fire", "🔁": "repeat", "🟢": "resolve"}


def parse_messages(accepted):
    """One event per notification: (action, key, text, entry). A digest gives several."""
    events = []
    for entry in accepted:
        lines = entry["text"].split("\n")
        if lines[0].startswith("📣"):
            for line in lines[1:]:
                found = MESSAGE_LINE.match(line)
                if found:
                    events.append((ACTIONS[found[1]], html_unescape(found[2]), line, entry))
            continue
        found = re.match(r"^(🔴|🔁|🟢) ", lines[0])
        key = re.match(r"^<code>(.+?)</code>", lines[1]) if len(lines) > 1 else None
        if found and key:
            events.append((ACTIONS[found[1]], html_unescape(key[1]), entry["text"], entry))
        else:
            events.append(("unparsed", "", entry["text"], entry))
    return events


def html_unescape(text):
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def compare(faults, events, kills):
    """Faults against notifications. Returns (problems, duplicates allowed)."""
    problems, allowed_duplicates = [], 0
    by_key = {}
    for action, key, text, entry in events:
        if action == "unparsed":
            problems.append(f"a message the harness cannot read: {text[:120]!r}")
            continue
        by_key.setdefault(key, []).append((action, text, entry))
    expected_keys = {fault["key"] for fault in faults}
    for key in sorted(set(by_key) - expected_keys):
        problems.append(f"{key}: {len(by_key[key])} notification(s) without an injected fault")
    for key in sorted(expected_keys):
        key_faults = sorted((f for f in faults if f["key"] == key), key=lambda f: f["start"])
        received = by_key.get(key, [])
        # Drop copies of a message that was in flight when the watchdog was killed.
        kept = []
        for action, text, entry in received:
            if kept and kept[-1][1] == text:
                first = kept[-1][2]
                answered = first["answered"] or first["received"]
                if any(first["received"] - 0.05 <= kill <= answered + 1.0 for kill in kills):
                    allowed_duplicates += 1
                    continue
                problems.append(f"{key}: {action} delivered twice with no kill while it was in flight")
                continue
            kept.append((action, text, entry))
        actions = [action for action, _, _ in kept]
        wanted = ["fire", "resolve"] * len(key_faults)
        if actions != wanted:
            problems.append(f"{key}: {len(key_faults)} fault(s) gave {' '.join(actions) or 'nothing'}")
            continue
        for index, fault in enumerate(key_faults):
            fire, resolve = kept[2 * index][2], kept[2 * index + 1][2]
            if fire["received"] < fault["start"]:
                problems.append(f"{key}: fire {index + 1} arrived before its fault began")
            if resolve["received"] < fault["end"]:
                problems.append(f"{key}: resolve {index + 1} arrived before its fault ended")
    return problems, allowed_duplicates


def secrets_in_logs(workdir):
    leaks = []
    for name in ("stdout.log", "stderr.log"):
        with open(os.path.join(workdir, name), errors="replace") as log:
            for number, line in enumerate(log, 1):
                for secret in SECRETS:
                    if secret in line:
                        leaks.append(f"{name}:{number} holds a secret")
    return leaks


def environment(ports, workdir, listen):
    env = {key: value for key, value in os.environ.items() if not key.startswith("WATCHDOG_")}
    env.update({
        "WATCHDOG_ENV_FILE": "/dev/null",
        "WATCHDOG_STATE_FILE": os.path.join(workdir, "state.json"),
        "WATCHDOG_LISTEN": listen,
        "WATCHDOG_LOG_LEVEL": "info",
        "WATCHDOG_INSTANCE": "soak",
        "WATCHDOG_HTTP_TIMEOUT": f"{int(HTTP_TIMEOUT * 1000)}ms",
        "WATCHDOG_COLLECT_TIMEOUT": "2s",
        "WATCHDOG_COOLDOWN": "24h",
        "WATCHDOG_DIGEST_AFTER": "1000",
        "WATCHDOG_MEM_PCT": "100",
        "WATCHDOG_DISK_PCT": "100",
        "WATCHDOG_ORCH_METRICS_URL": f"http://127.0.0.1:{ports['orchestrator']}/metrics?token={ORCH_SECRET}",
        "WATCHDOG_ORCH_DOWN_AFTER": "3",
        "WATCHDOG_ORCH_STALE_AFTER": "2s",
        "WATCHDOG_AGENT_HUNG_AFTER": "2s",
        "WATCHDOG_DEPS": (f"api=http://probe:{DEP_PASSWORD}@127.0.0.1:{ports['api']}/health,"
                          f"db=tcp://127.0.0.1:{ports['db']}"),
        "WATCHDOG_DEP_DOWN_AFTER": "2",
        "WATCHDOG_HEARTBEATS": "soak-job=1s",
        "WATCHDOG_PING_TOKEN": PING_TOKEN,
        "WATCHDOG_TELEGRAM_BOT_TOKEN": TOKEN,
        "WATCHDOG_TELEGRAM_CHAT_ID": CHAT_ID,
        "WATCHDOG_TELEGRAM_API_URL": f"http://127.0.0.1:{ports['telegram']}",
    })
    return env


def stop(watchdog, stopping):
    stopping.set()
    watchdog.process.send_signal(signal.SIGTERM)
    try:
        return watchdog.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        watchdog.process.kill()
        return None


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
        while (metric(listen, "watchdog_ticks_total") or 0) < target:
            if not watchdog.alive():
                sys.exit(f"footprint: the watchdog exited; see {watchdog.workdir}/stderr.log")
            time.sleep(0.05)
        return now(), watchdog.cpu_seconds(), watchdog.rss_kb()

    started, cpu_start, rss_idle = at_tick(30)
    series = [(30, rss_idle)]
    for checkpoint in range(1, 11):
        target = 30 + (arguments.ticks - 30) * checkpoint // 10
        ended, cpu_end, rss_end = at_tick(target)
        series.append((target, rss_end))
    ticks = arguments.ticks - 30
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
    status = stop(watchdog, stopping)
    print(f"sources:      {', '.join(sorted(collectors))}")
    print(f"memory:       RSS {rss_idle} kB after 30 ticks, {rss_end} kB after {arguments.ticks} ticks, peak {peak} kB")
    print(f"rss by tick:  {', '.join(f'{tick}: {kb}' for tick, kb in series)} (kB)")
    print(f"cpu:          {(cpu_end - cpu_start) * 1000 / ticks:.2f} ms per tick over {ticks} ticks at "
          f"{arguments.interval} ({(ended - started) / ticks * 1000:.0f} ms wall per tick)")
    means = ", ".join(f"{name} {values['sum'] / max(values['count'], 1) * 1000:.1f}"
                      for name, values in sorted(collectors.items()) if "sum" in values)
    print(f"collectors:   mean wall ms per run: {means}; collector errors {int(errors or 0)}; "
          f"exit status {status}; messages {len(world.accepted)}")


LANES_SOAK = [
    (["orchestrator-down", "orchestrator-stale", "agent-hung"], (4, 8), (6, 16)),
    (["dependency-hang"], (3, 7), (6, 18)),
    (["dependency-refuse"], (3, 7), (6, 18)),
    (["heartbeat-missed"], (3, 6), (6, 18)),
    (["telegram-429", "telegram-500", "telegram-timeout"], (1, 5), (5, 20)),
]
# With kills the heartbeat lane would see pings refused while the watchdog restarts.
LANES_CRASH = [lane for lane in LANES_SOAK if lane[0] != ["heartbeat-missed"]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["soak", "crash", "latency", "footprint"])
    parser.add_argument("binary")
    parser.add_argument("--ticks", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--interval", default="100ms")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--drain", type=float, default=300, help="seconds to wait for the outbox to empty")
    parser.add_argument("--faults", type=int, default=100, help="latency: faults to time")
    parser.add_argument("--env", action="append", default=[], help="footprint: KEY=VALUE for the watchdog")
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.randrange(1 << 31)
    rng = random.Random(seed)
    workdir = tempfile.mkdtemp(prefix=f"watchdog-{arguments.mode}-")

    world = World()
    tcp = TCPDependency()
    servers = {
        "orchestrator": serve(orchestrator_handler(world)),
        "api": serve(api_handler(world)),
        "telegram": serve(telegram_handler(world)),
    }
    ports = {name: server.server_address[1] for name, server in servers.items()}
    ports["db"] = tcp.port
    listen = f"127.0.0.1:{free_port()}"
    settings = environment(ports, workdir, listen)
    if arguments.mode == "crash":
        # A restart does not reset a heartbeat's window (SPEC §10.6): with a 1 s window a
        # kill during which the pings are refused would rightly fire. The crash run has no
        # heartbeat faults; its heartbeat only has to survive the restarts.
        settings["WATCHDOG_HEARTBEATS"] = "soak-job=30s"
        world.answer_delay = (0.05, 0.2)  # under the 300 ms HTTP timeout
    if arguments.mode == "footprint":
        names = ",".join(f"api{i}=http://127.0.0.1:{ports['api']}/health" for i in range(1, 10))
        settings["WATCHDOG_DEPS"] = f"{names},db=tcp://127.0.0.1:{ports['db']}"
        settings["WATCHDOG_STATE_FILE"] = os.path.join(workdir, "state.json")
        settings.update(item.split("=", 1) for item in arguments.env)
    watchdog = Watchdog(arguments.binary, settings, workdir, arguments.interval)
    print(f"{arguments.mode}: seed {seed}, work directory {workdir}", flush=True)

    stopping = threading.Event()
    watchdog.start()
    while metric(listen, "watchdog_ticks_total") is None:
        if not watchdog.alive():
            sys.exit(f"the watchdog exited at start; see {workdir}/stderr.log")
        time.sleep(0.05)
    threading.Thread(target=pinger, args=(world, listen, stopping), daemon=True).start()
    time.sleep(2)  # the first windows and baselines settle before faults begin
    if arguments.mode == "latency":
        return measure_latency(arguments, world, tcp, watchdog, rng, stopping)
    if arguments.mode == "footprint":
        return measure_footprint(arguments, listen, watchdog, world, stopping)
    scheduler = Scheduler(world, tcp, rng, LANES_SOAK if arguments.mode == "soak" else LANES_CRASH)
    scheduler.start()
    began = now()
    problems, kills, rss, crash_notes = [], [], [], []

    if arguments.mode == "soak":
        last_report = began
        ticks = 0
        while ticks < arguments.ticks:
            time.sleep(1)
            if not watchdog.alive():
                problems.append(f"the watchdog exited with status {watchdog.process.returncode}")
                break
            ticks = int(metric(listen, "watchdog_ticks_total") or ticks)
            sample = watchdog.rss_kb()
            rss.append((ticks, sample))
            if now() - last_report >= 60:
                last_report = now()
                print(f"  {ticks} ticks, {len(scheduler.faults)} faults, {len(world.accepted)} messages, "
                      f"RSS {sample} kB", flush=True)
    else:
        restarts = 0
        while len(kills) < arguments.kills:
            time.sleep(rng.uniform(0.3, 5))
            if not watchdog.alive():
                problems.append(f"the watchdog exited by itself with status {watchdog.process.returncode}")
                break
            watchdog.process.send_signal(signal.SIGKILL)
            kills.append(now())
            watchdog.process.wait()
            state = os.path.join(workdir, "state.json")
            if os.path.exists(state):
                try:
                    with open(state) as file:
                        json.load(file)
                except ValueError as error:
                    problems.append(f"kill {len(kills)}: the state file does not parse: {error}")
            watchdog.start()
            restarts += 1
        crash_notes.append(f"{len(kills)} SIGKILLs, {restarts} restarts")

    scheduler.stop()
    run_seconds = now() - began
    # Everything healthy again: wait until every fault's resolve arrived.
    expected = 2 * len(scheduler.faults)
    deadline = now() + arguments.drain
    while now() < deadline:
        if len(parse_messages(list(world.accepted))) >= expected and (metric(listen, "watchdog_outbox_depth") or 0) == 0:
            break
        time.sleep(1)
    time.sleep(2)
    ticks_done = metric(listen, "watchdog_ticks_total")
    final_rss = watchdog.rss_kb()
    watchdog.process.send_signal(signal.SIGTERM)
    try:
        status = watchdog.process.wait(timeout=10)
        if status != 0:
            problems.append(f"SIGTERM ended the watchdog with status {status}")
    except subprocess.TimeoutExpired:
        problems.append("the watchdog did not stop within 10 s of SIGTERM")
        watchdog.process.kill()
    stopping.set()

    events = parse_messages(list(world.accepted))
    compared, duplicates = compare(scheduler.faults, events, kills)
    problems += compared
    problems += secrets_in_logs(workdir)
    moved = glob.glob(os.path.join(workdir, "state.json.corrupt-*"))
    if moved:
        problems.append(f"the state file was moved aside {len(moved)} time(s)")

    kinds = {}
    for fault in scheduler.faults:
        kinds[fault["kind"]] = kinds.get(fault["kind"], 0) + 1
    telegram_kinds = {}
    for fault in scheduler.telegram_faults:
        telegram_kinds[fault["kind"]] = telegram_kinds.get(fault["kind"], 0) + 1
    print(f"run:          {run_seconds:.0f} s of faults, {int(ticks_done or 0)} ticks at {arguments.interval}")
    print(f"faults:       {len(scheduler.faults)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"telegram:     {len(scheduler.telegram_faults)} fault windows "
          f"({', '.join(f'{k} {v}' for k, v in sorted(telegram_kinds.items()))}); answers {world.telegram_answers}")
    print(f"messages:     {len(world.accepted)} accepted, {len(events)} notifications, expected {expected}"
          + (f", {duplicates} duplicate(s) in flight at a kill" if arguments.mode == "crash" else ""))
    if world.send_gaps:
        print(f"pacing:       smallest gap between accepted messages {min(world.send_gaps) * 1000:.0f} ms")
    if rss:
        warm = next((kb for ticks, kb in rss if ticks >= arguments.ticks // 10), rss[0][1])
        peak = max(kb for _, kb in rss if kb)
        last = rss[-1][1]
        growth = (last - warm) if last and warm else 0
        print(f"memory:       RSS {warm} kB after warm-up (tick {arguments.ticks // 10}), {last} kB at tick "
              f"{rss[-1][0]}, peak {peak} kB; growth {growth} kB; {final_rss} kB after the drain")
        if growth > 1024:
            problems.append(f"resident memory grew by {growth} kB after warm-up (limit 1024 kB)")
    for note in crash_notes:
        print(f"crash:        {note}")
    with open(os.path.join(workdir, "schedule.json"), "w") as file:
        json.dump({"seed": seed, "faults": scheduler.faults, "telegram_faults": scheduler.telegram_faults,
                   "kills": kills}, file, indent=1)
    print(f"schedule:     {workdir}/schedule.json; logs {workdir}/stderr.log")
    if problems:
        print(f"FAILED: {len(problems)} problem(s)")
        for problem in problems[:50]:
            print(f"  - {problem}")
        sys.exit(1)
    print("OK: every fault gave one fire and one resolve, in order; nothing lost, nothing else sent; "
          "no secret in the logs")


if __name__ == "__main__":
    main()
