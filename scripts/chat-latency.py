#!/usr/bin/env python3
"""How fast the watchdog answers in Matrix (SPEC §13): a real Synapse on loopback (PyPI
matrix-synapse, SQLite), the watchdog binary reading its room with ?commands=yes, and a
moderator who writes `!status` N times, each `--pause` seconds after the previous
answer (the room's outbox keeps 0.5 s between two messages, Synapse's pace for a user:
commands written back to back are answered at that pace). Prints the time from the
command's send to the answer's arrival in the reader's own /sync, as JSON.

    python3 scripts/chat-latency.py .build/release/watchdog [--commands 20] [--pause 1]
"""

import argparse
import hashlib
import hmac
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SECRET = "watchdog-bench-registration-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, token=None, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read() or b"{}")


def register(base, user):
    nonce = call(base, "GET", "/_synapse/admin/v1/register")["nonce"]
    password = "pw-" + user + "-0123456789"
    mac = hmac.new(SECRET.encode(), b"\x00".join(x.encode() for x in (nonce, user, password)) + b"\x00notadmin",
                   hashlib.sha1).hexdigest()
    answer = call(base, "POST", "/_synapse/admin/v1/register",
                  body={"nonce": nonce, "username": user, "password": password, "admin": False, "mac": mac})
    return answer["access_token"]


def start_synapse(folder):
    port = free_port()
    with open(os.path.join(folder, "homeserver.yaml"), "w") as config:
        config.write(f"""server_name: "localhost"
pid_file: {folder}/homeserver.pid
listeners:
  - {{port: {port}, bind_addresses: ['127.0.0.1'], type: http, tls: false, x_forwarded: false,
      resources: [{{names: [client], compress: false}}]}}
database: {{name: sqlite3, args: {{database: {folder}/homeserver.db}}}}
log_config: {folder}/log.yaml
media_store_path: {folder}/media
signing_key_path: {folder}/signing.key
registration_shared_secret: "{SECRET}"
macaroon_secret_key: "bench-macaroon"
form_secret: "bench-form"
report_stats: false
trusted_key_servers: []
suppress_key_server_warning: true
enable_metrics: false
presence: {{enabled: false}}
rc_message: {{per_second: 1000, burst_count: 1000}}
rc_registration: {{per_second: 1000, burst_count: 1000}}
rc_room_creation: {{per_second: 1000, burst_count: 1000}}
""")
    with open(os.path.join(folder, "log.yaml"), "w") as log:
        log.write(f"""version: 1
formatters: {{plain: {{format: '%(asctime)s %(levelname)s %(name)s %(message)s'}}}}
handlers: {{file: {{class: logging.FileHandler, filename: {folder}/homeserver.log, formatter: plain}}}}
root: {{level: WARNING, handlers: [file]}}
disable_existing_loggers: false
""")
    config = os.path.join(folder, "homeserver.yaml")
    subprocess.run([sys.executable, "-m", "synapse.app.homeserver", "-c", config, "--generate-keys"],
                   check=True, capture_output=True)
    process = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "-c", config],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(360):
        try:
            call(base, "GET", "/_matrix/client/versions", timeout=2)
            return process, base, port
        except Exception:
            if process.poll() is not None:
                raise SystemExit("synapse exited: see " + folder + "/homeserver.log")
            time.sleep(0.25)
    raise SystemExit("synapse not ready within 90 s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--pause", type=float, default=1.0)
    arguments = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="watchdog-chat-bench-")
    synapse = watchdog = None
    try:
        synapse, base, port = start_synapse(folder)
        bot = register(base, "watchdog")
        reader = register(base, "reader")
        room = call(base, "POST", "/_matrix/client/v3/createRoom", bot,
                    {"room_alias_name": "ops", "preset": "public_chat"})["room_id"]
        quoted = urllib.parse.quote(room, safe="")
        call(base, "POST", "/_matrix/client/v3/join/" + quoted, reader, {})
        levels_path = f"/_matrix/client/v3/rooms/{quoted}/state/m.room.power_levels/"
        levels = call(base, "GET", levels_path, bot)
        levels.setdefault("users", {})["@reader:localhost"] = 50
        call(base, "PUT", levels_path, bot, levels)
        environment = {
            "PATH": "/usr/bin:/bin", "WATCHDOG_INTERVAL": "5s", "WATCHDOG_STATE_FILE": folder + "/state.json",
            "WATCHDOG_LISTEN": "off", "WATCHDOG_LOG_LEVEL": "info",
            "WATCHDOG_NOTIFY_OPS": f"matrix://{bot}@127.0.0.1:{port}/#ops:localhost?commands=yes",
        }
        log = open(os.path.join(folder, "watchdog.log"), "w")
        watchdog = subprocess.Popen([arguments.binary, "run"], env=environment, cwd=folder,
                                    stdout=subprocess.DEVNULL, stderr=log)
        # The reader's own sync, from now on: answers arrive as events there.
        since = call(base, "GET", "/_matrix/client/v3/sync?timeout=0", reader)["next_batch"]
        deadline = time.time() + 60
        while "reading the Matrix room for commands" not in open(log.name).read():
            if time.time() > deadline or watchdog.poll() is not None:
                raise SystemExit("the watchdog did not start reading the room: see " + log.name)
            time.sleep(0.1)
        samples = []
        for index in range(arguments.commands):
            time.sleep(arguments.pause)
            sent = time.monotonic()
            event = call(base, "PUT", f"/_matrix/client/v3/rooms/{quoted}/send/m.room.message/bench{index}", reader,
                         {"msgtype": "m.text", "body": "!status"})["event_id"]
            answered = None
            while answered is None:
                if time.monotonic() - sent > 30:
                    raise SystemExit(f"no answer to command {index} within 30 s")
                batch = call(base, "GET", "/_matrix/client/v3/sync?timeout=10000&since=" + urllib.parse.quote(since),
                             reader)
                since = batch["next_batch"]
                events = batch.get("rooms", {}).get("join", {}).get(room, {}).get("timeline", {}).get("events", [])
                for item in events:
                    reply = item.get("content", {}).get("m.relates_to", {}).get("m.in_reply_to", {})
                    if reply.get("event_id") == event:
                        answered = time.monotonic()
            samples.append((answered - sent) * 1000)
        samples.sort()
        print(json.dumps({
            "commands": len(samples), "median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1), "max_ms": round(samples[-1], 1),
            "pause_s": arguments.pause, "goal_ms": 2000,
        }))
    finally:
        for process in (watchdog, synapse):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        subprocess.run(["rm", "-rf", folder])


if __name__ == "__main__":
    main()
