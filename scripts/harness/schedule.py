"""Faults on a random schedule, each switch recorded with its time."""

import threading
import time

from .common import LOCK, now


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


LANES_SOAK = [
    (["orchestrator-down", "orchestrator-stale", "agent-hung"], (4, 8), (6, 16)),
    (["dependency-hang"], (3, 7), (6, 18)),
    (["dependency-refuse"], (3, 7), (6, 18)),
    (["heartbeat-missed"], (3, 6), (6, 18)),
    (["telegram-429", "telegram-500", "telegram-timeout"], (1, 5), (5, 20)),
]
# With kills the heartbeat lane would see pings refused while the watchdog restarts.
LANES_CRASH = [lane for lane in LANES_SOAK if lane[0] != ["heartbeat-missed"]]
