#!/usr/bin/env bash
# Benchmarks, reported, never asserted (release build):
#   - resident memory of `watchdog run` at idle (host checks only, the HTTP endpoint on
#     and scraped once a second), time from exec to the first completed tick, CPU per
#     tick, binary size;
#   - one tick with 20 dependencies of which 5 never answer, as a ratio to
#     WATCHDOG_HTTP_TIMEOUT (goal <= 1.2);
#   - one tick with 50 healthy containers against a real dockerd (root, docker.io and
#     busybox-static needed; skipped otherwise);
#   - the /proc scan: a synthetic tree of 10,000 processes, and the real /proc (with
#     1,000 extra idle processes) side by side with `ps -eo pid,lstart,args`.
#
#   scripts/bench.sh [idle-seconds]     # default 30
#   BENCH_SECTIONS="proc" scripts/bench.sh   # only some of: idle deps containers proc
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
idle_seconds=${1:-30}

sections=${BENCH_SECTIONS:-idle deps containers proc}
wants() { [[ " $sections " == *" $1 "* ]]; }

swift build -c release --product watchdog >/dev/null 2>&1
swift build -c release --product watchdog-bench >/dev/null 2>&1
binary=$(swift build -c release --show-bin-path)/watchdog
bench_binary=$(swift build -c release --show-bin-path)/watchdog-bench
work=$(mktemp -d /tmp/wdb-XXXX)
pid=""
peers=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    [ -n "$peers" ] && kill "$peers" 2>/dev/null || true
    if [ -S "$work/docker.sock" ]; then
        docker -H "unix://$work/docker.sock" rm -f $(docker -H "unix://$work/docker.sock" ps -aq) >/dev/null 2>&1 || true
        kill "$(cat "$work/docker.pid")" 2>/dev/null || true
        sleep 2
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The duration of one collector in `once --json`, in ms.
collector_ms() {
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(c["duration_ms"] for c in d["collectors"] if c["name"]==sys.argv[1]))' "$1"
}

cd "$work"
echo "machine:            $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "binary size:        $(stat -c %s "$binary") bytes ($binary)"

if wants idle; then
# Exec to first completed tick: the first run after a build reads the binary from disk;
# the next ones are what a restart costs.
first_ticks=()
for run in 1 2 3 4 5 6; do
    start_ns=$(date +%s%N)
    WATCHDOG_INTERVAL=1s WATCHDOG_LISTEN=off WATCHDOG_STATE_FILE= WATCHDOG_LOG_LEVEL=debug \
        "$binary" run 2>"$work/first.stderr" >/dev/null &
    pid=$!
    until grep -q "tick done" "$work/first.stderr"; do
        kill -0 "$pid" 2>/dev/null || { cat "$work/first.stderr" >&2; exit 1; }
        sleep 0.002
    done
    first_ticks+=($(( ($(date +%s%N) - start_ns) / 1000000 )))
    kill -TERM "$pid"
    wait "$pid" || true
    pid=""
done
echo "exec to first tick: ${first_ticks[0]} ms cold, then ${first_ticks[*]:1} ms (includes the shell's 2 ms polling)"
start_ns=$(date +%s%N)
listen_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WATCHDOG_INTERVAL=1s WATCHDOG_LISTEN=127.0.0.1:$listen_port WATCHDOG_STATE_FILE= WATCHDOG_LOG_LEVEL=debug \
    "$binary" run 2>"$work/stderr" >"$work/stdout" &
pid=$!
until grep -q "tick done" "$work/stderr"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/stderr" >&2; exit 1; }
    sleep 0.005
done
# Scraped like Prometheus would, once a second.
for _ in $(seq 1 "$idle_seconds"); do
    curl -fsS -o /dev/null "http://127.0.0.1:$listen_port/metrics" || true
    sleep 1
done
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
ticks=$(grep -c "tick done" "$work/stderr")
read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
clock_ticks=$(getconf CLK_TCK)
kill -TERM "$pid"
wait "$pid" || true

pid=""
cpu_ms=$(( (utime + stime) * 1000 / clock_ticks ))
echo "idle after:         ${idle_seconds} s, ${ticks} ticks at 1 s"
echo "resident memory:    ${rss_kb} kB now, ${hwm_kb} kB peak"
echo "cpu time:           ${cpu_ms} ms total, $(( cpu_ms * 1000 / (ticks > 0 ? ticks : 1) )) µs per tick"
fi

if wants deps; then
# 20 dependencies, 5 of which accept and never answer.
read -r healthy_port silent_port < <(python3 -u "$repo/scripts/bench-peers.py" & echo $! > "$work/peers.pid"; wait)
peers=$(cat "$work/peers.pid")
deps=""
for i in $(seq 1 15); do deps="$deps,ok$i=http://127.0.0.1:$healthy_port/health"; done
for i in $(seq 1 5); do deps="$deps,hang$i=http://127.0.0.1:$silent_port/"; done
ratios=()
for run in 1 2 3; do
    ms=$(WATCHDOG_DEPS="${deps#,}" WATCHDOG_HTTP_TIMEOUT=2s WATCHDOG_STATE_FILE= WATCHDOG_LOG_LEVEL=error \
        "$binary" once --json --dry-run | collector_ms dependencies)
    ratios+=("$(python3 -c "print(round($ms / 2000, 3))")")
done
echo "hanging-deps tick:  20 deps, 5 never answer, HTTP timeout 2 s: ${ratios[*]} x timeout (3 runs)"
fi

# 50 healthy containers against a real dockerd on a private socket.
if ! wants containers; then
    :
elif [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null && [ -x /bin/busybox ]; then
    mkdir -p "$work/data" "$work/exec" "$work/rootfs/bin"
    dockerd --host "unix://$work/docker.sock" --data-root "$work/data" --exec-root "$work/exec" \
        --pidfile "$work/docker.pid" --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
        >"$work/dockerd.log" 2>&1 &
    docker_cli() { docker -H "unix://$work/docker.sock" "$@"; }
    for _ in $(seq 1 100); do docker_cli version >/dev/null 2>&1 && break; sleep 0.2; done
    cp /bin/busybox "$work/rootfs/bin/" && ln -s busybox "$work/rootfs/bin/sleep"
    tar -C "$work/rootfs" -c . | docker_cli import - bench-busybox >/dev/null
    names=""
    for i in $(seq 1 50); do
        docker_cli run -d --name "c$i" bench-busybox sleep 3600 >/dev/null
        names="$names,c$i"
    done
    times=()
    for run in 1 2 3; do
        times+=("$(WATCHDOG_CONTAINERS="${names#,}" WATCHDOG_DOCKER_SOCK="$work/docker.sock" WATCHDOG_STATE_FILE= \
            WATCHDOG_LOG_LEVEL=error "$binary" once --json --dry-run | collector_ms docker)")
    done
    echo "containers tick:    50 running containers, docker collector: ${times[*]} ms (3 runs)"
else
    echo "containers tick:    skipped (needs root, dockerd and busybox-static)"
fi

# The /proc scan (reads <pid>/stat, and <pid>/cmdline of old-enough processes).
if wants proc; then
    python3 "$repo/scripts/synthetic-proc.py" "$work/proc" 10000
    echo "proc scan synthetic: 10,000 processes, age limit 1 h: $("$bench_binary" proc-scan "$work/proc" 20 pytest 3600)"
    echo "proc scan synthetic: 10,000 processes, age limit 0:   $("$bench_binary" proc-scan "$work/proc" 20 pytest 0)"
    # The real table, made larger with idle processes; ps reads the same /proc.
    sleepers=()
    for _ in $(seq 1 1000); do sleep 600 & sleepers+=($!); done
    scan=$("$bench_binary" proc-scan /proc 50 pytest 0)
    ps_ms=$(python3 - <<'PY'
import statistics, subprocess, time
walls = []
for _ in range(20):
    start = time.perf_counter()
    subprocess.run(["ps", "-eo", "pid,lstart,args"], stdout=subprocess.DEVNULL, check=True)
    walls.append((time.perf_counter() - start) * 1000)
print(round(statistics.median(walls), 3))
PY
)
    ps_start_ms=$(python3 - <<'PY'
import os, statistics, subprocess, time
walls = []
for _ in range(20):
    start = time.perf_counter()
    subprocess.run(["ps", "-o", "pid=", "-p", str(os.getpid())], stdout=subprocess.DEVNULL, check=True)
    walls.append((time.perf_counter() - start) * 1000)
print(round(statistics.median(walls), 3))
PY
)
    kill "${sleepers[@]}" 2>/dev/null || true
    wait "${sleepers[@]}" 2>/dev/null || true
    scan_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["wall_ms_median"])' "$scan")
    echo "proc scan real:     $(echo "$scan" | python3 -c 'import json,sys; print(json.load(sys.stdin)["scanned"])') processes: $scan"
    echo "ps -eo pid,lstart,args: ${ps_ms} ms median of 20 (of which ${ps_start_ms} ms is starting ps: ps -p <one pid>)"
    echo "proc scan / ps:     $(python3 -c "print(round($scan_ms / $ps_ms, 3))") (against ps without its start-up: $(python3 -c "print(round($scan_ms / max($ps_ms - $ps_start_ms, 0.001), 3))"))"
fi
