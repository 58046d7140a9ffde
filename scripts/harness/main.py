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
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time

from .common import free_port, now, serve
from .measure import measure_footprint, measure_latency
from .oracle import compare, parse_messages, secrets_in_logs
from .process import Watchdog, environment, metric, pinger
from .schedule import LANES_CRASH, LANES_SOAK, Scheduler
from .standins import TCPDependency, api_handler, orchestrator_handler
from .telegram import telegram_handler
from .world import World


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
    parser.add_argument("--wrap", default="", help="footprint: a command to run the binary under (the profile)")
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
    watchdog = Watchdog(arguments.binary, settings, workdir, arguments.interval, shlex.split(arguments.wrap))
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
