"""The watchdog under test: its environment, the process, its metrics, the pinger."""

import os
import signal
import subprocess
import urllib.request

from .common import CHAT_ID, DEP_PASSWORD, HTTP_TIMEOUT, LOCK, ORCH_SECRET, PING_TOKEN, TOKEN


class Watchdog:
    """The binary under test, restartable on the same state file and log files."""

    def __init__(self, binary, environment, workdir, interval, wrap=()):
        self.binary, self.environment, self.workdir, self.interval = os.path.abspath(binary), environment, workdir, interval
        # A command the binary runs under (footprint --wrap: valgrind for the profile).
        self.wrap = list(wrap)
        self.process = None
        self.stdout = open(os.path.join(workdir, "stdout.log"), "ab")
        self.stderr = open(os.path.join(workdir, "stderr.log"), "ab")

    def start(self):
        # Below 1 s only the harness option can set the interval (SPEC §2.1 keeps 1 s).
        fast = self.interval.endswith("ms")
        if not fast:
            self.environment["WATCHDOG_INTERVAL"] = self.interval
        self.process = subprocess.Popen(
            self.wrap + [self.binary, "run"] + (["--harness-tick-interval", self.interval] if fast else []),
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


def process_cpu_seconds(pid):
    """User and system CPU of a process so far, in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_kb(pid):
    """A process's VmRSS in kB (0 when it has none)."""
    with open(f"/proc/{pid}/status") as status:
        return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)


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
        # The oracle models fire, repeat and resolve; flapping has its own tests.
        "WATCHDOG_FLAP": "off",
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
        # Under valgrind the exit writes the profile, which takes longer.
        return watchdog.process.wait(timeout=60 if watchdog.wrap else 10)
    except subprocess.TimeoutExpired:
        watchdog.process.kill()
        return None
