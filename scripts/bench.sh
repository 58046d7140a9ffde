#!/usr/bin/env bash
# Benchmarks, reported, never asserted (the binary scripts/release-binary.sh builds, as
# the image ships it; the results and the machine are in BENCHMARKS.md):
#   - resident memory of `watchdog run` at idle (host checks only, the HTTP endpoint on
#     and scraped once a second), time from exec to the first completed tick, CPU per
#     tick, binary size;
#   - one tick with 20 dependencies of which 5 never answer, as a ratio to
#     WATCHDOG_HTTP_TIMEOUT (goal <= 1.2);
#   - one tick with 50 healthy containers against a real dockerd (root, docker.io and
#     busybox-static needed; skipped otherwise);
#   - containers in real time (scripts/container-events.py): `watchdog run` with 20 and
#     with 50 running containers at 1 s ticks: CPU per tick, Docker API requests per idle
#     tick (a counting proxy on the socket), resident memory with the events stream
#     open; a container killed by its host pid -> the message at the Telegram stand-in,
#     p50/p99/max over 20 kills at a 30 s interval;
#   - the /proc scan: a synthetic tree of 10,000 processes, and the real /proc (with
#     1,000 extra idle processes) side by side with `ps -eo pid,lstart,args`;
#   - Prometheus text parsing of a real node-exporter's output against Python's
#     prometheus_client parser on the same text;
#   - every source on (host, orchestrator, 20 containers on a real dockerd, 10
#     dependencies, the /proc scan with 500 extra processes, EC2 on moto_server, a push
#     heartbeat, Telegram): resident memory after 30 and after 1,000 ticks, CPU per tick;
#     and Monit watching the same host, processes and ports for the same time;
#   - footprint side by side (compare): each binary of BENCH_COMPARE="before=PATH
#     after=PATH" (unstripped; default this build): size unstripped and stripped, image
#     size, exec to first tick cold and warm, resident memory idle and with every source
#     on after 1,000 ticks, and where it goes by mapping; Monit and node-exporter in the
#     same run;
#   - detection latency: a dependency starts refusing -> the message at the Telegram
#     stand-in, p50 and p99 over 100 faults at a 1 s interval;
#   - hostile inputs (scripts/hostile.py): a 50 MB state file, and 15 MB and 8 MB ones (under the limit), an envelope
#     of 100,000 hung agents, 50,000 Prometheus series matching one rule, a refused and
#     an unknown orchestrator, a Telegram API trickling its answer, /healthz while a
#     client holds 64 and 300 idle connections, a Docker daemon with 4,000 and with
#     10,000 compose containers (scripts/docker-standin.py, a 13 MiB list) at a 5 s
#     interval: peak resident memory, tick time, messages. BENCH_BINARY=path measures another build (an older commit's) instead;
#   - chat: a real Synapse on loopback and the watchdog reading its room (?commands=yes);
#     a moderator writes `!status` 20 times (BENCH_CHAT_COMMANDS), each after the last
#     answer: from the send to the answer in the writer's own /sync (goal: 2 s).
#   - silences: one tick of 500 firing keys against 1000 API silences (the book's
#     capacity), each with an entity regex that reads the whole entity (`.*-N-[a-z]+(-[0-9]+)*`), against the same tick without silences.
#   - causes: ticks of 500 compose containers that all depend on one database and go
#     down with it: the tick they fire in (one message) and a steady tick (all held),
#     against the same keys without a compose graph.
#   - history: the status page (GET /) with 10,000 incidents of the last 30 days on 50
#     keys: the route's answer in the process (watchdog-bench status-page), and from the
#     request to the last byte over loopback from `watchdog run` reading them from its
#     incident log (curl, 30 requests, median and max; goal <= 50 ms), with the page's
#     size and the resident memory holding them.
#
#   - size (issue 36): the shipped binary by module and package (scripts/harness/
#     size_by_module.py: `nm` of the unstripped link, each symbol given to the object that
#     defines it), with what each keeps resident in an idle watchdog (/proc/PID/pagemap);
#   - profile (issue 36): callgrind of `watchdog run` with every source on (the world of
#     the footprint section) for 90 ticks at 1 s, the unstripped binary: instructions per
#     tick and the top costs by module and by function (scripts/harness/profile_table.py);
#   - growth (issue 36): resident memory and CPU per tick at 10, 100 and 1,000 containers
#     and 100, 1,000 and 5,000 processes (scripts/growth.py), as a table; with
#     BENCH_GROWTH_PLOT=PATH also the plot (docs/footprint-growth.png).
#
#   scripts/bench.sh [idle-seconds]     # default 30
#   BENCH_SECTIONS="proc" scripts/bench.sh
#       # only some of: idle size deps containers events proc prom footprint profile growth compare latency hostile silences causes history chat
#   BENCH_SECTIONS=compare BENCH_COMPARE="before=/tmp/old/watchdog after=$(scripts/release-binary.sh --unstripped)" scripts/bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
idle_seconds=${1:-30}

sections=${BENCH_SECTIONS:-idle size deps containers events proc prom footprint profile growth compare latency hostile silences causes history chat}
wants() { [[ " $sections " == *" $1 "* ]]; }

binary=${BENCH_BINARY:-$(scripts/release-binary.sh watchdog)}
bench_binary=$(scripts/release-binary.sh watchdog-bench)
work=$(mktemp -d /tmp/wdb-XXXX)
pid=""
peers=""
world_pids=()
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    # The 500 idle processes and moto of the every-source world, if a section failed.
    [ "${#world_pids[@]}" -gt 0 ] && kill "${world_pids[@]}" 2>/dev/null || true
    [ -n "$peers" ] && kill "$peers" 2>/dev/null || true
    if [ -S "$work/docker.sock" ]; then
        docker -H "unix://$work/docker.sock" rm -f $(docker -H "unix://$work/docker.sock" ps -aq) >/dev/null 2>&1 || true
        kill "$(cat "$work/docker.pid")" 2>/dev/null || true
        sleep 2
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# What the sections need, installed when missing (as scripts/test.sh does).
missing_packages=()
{ wants prom || wants compare; } && ! command -v prometheus-node-exporter >/dev/null && missing_packages+=(prometheus-node-exporter)
{ wants footprint || wants compare; } && ! command -v monit >/dev/null && missing_packages+=(monit)
if wants containers || wants events || wants footprint || wants compare || wants profile; then
    command -v dockerd >/dev/null || missing_packages+=(docker.io)
    [ -x /bin/busybox ] || missing_packages+=(busybox-static)
fi
if [ "${#missing_packages[@]}" -gt 0 ]; then
    # shellcheck source=scripts/packages.sh
    . scripts/packages.sh
    ensure_packages "${missing_packages[@]}"
fi
wants prom && ! python3 -c 'import prometheus_client' 2>/dev/null && pip install -q prometheus_client >/dev/null
{ wants footprint || wants compare || wants profile; } && ! python3 -c 'import moto, boto3' 2>/dev/null && pip install -q 'moto[server]' >/dev/null
wants profile && ! command -v valgrind >/dev/null && { . scripts/packages.sh; ensure_packages valgrind; }
wants growth && [ -n "${BENCH_GROWTH_PLOT:-}" ] && ! python3 -c 'import matplotlib' 2>/dev/null && pip install -q matplotlib >/dev/null
wants chat && ! python3 -c 'import synapse.app.homeserver' 2>/dev/null && pip install -q 'matrix-synapse==1.163.2' >/dev/null

# The duration of one collector in `once --json`, in ms.
collector_ms() {
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(c["duration_ms"] for c in d["collectors"] if c["name"]==sys.argv[1]))' "$1"
}

# Milliseconds from exec to the first completed tick (host checks, no endpoint).
first_tick_ms() {
    local binary=$1 started first_pid
    started=$(date +%s%N)
    WATCHDOG_INTERVAL=1s WATCHDOG_LISTEN=off WATCHDOG_STATE_FILE= WATCHDOG_LOG_LEVEL=debug \
        "$binary" run 2>"$work/first.stderr" >/dev/null &
    first_pid=$!
    until grep -q "tick done" "$work/first.stderr"; do
        kill -0 "$first_pid" 2>/dev/null || { cat "$work/first.stderr" >&2; return 1; }
        sleep 0.002
    done
    echo $(( ($(date +%s%N) - started) / 1000000 ))
    kill -TERM "$first_pid"
    wait "$first_pid" 2>/dev/null || true
}
cd "$work"
echo "machine:            $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
strip -o "$work/watchdog.stripped" "$binary"
echo "binary size:        $(stat -c %s "$binary") bytes as measured, $(stat -c %s "$work/watchdog.stripped") stripped ($binary)"

if wants idle; then
# Exec to first completed tick: the first run after a build reads the binary from disk;
# the next ones are what a restart costs.
first_ticks=()
for _ in 1 2 3 4 5 6; do first_ticks+=("$(first_tick_ms "$binary")"); done
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

# The binary by module and package, and what each keeps resident at idle (host checks,
# 1 s ticks, 20 s).
if wants size; then
    unstripped=$("$repo/scripts/release-binary.sh" --unstripped watchdog)
    (cd "$work"; env -i PATH=/usr/bin:/bin WATCHDOG_LISTEN=off WATCHDOG_STATE_FILE= WATCHDOG_INTERVAL=1s \
        "$work/watchdog.stripped" run >/dev/null 2>&1 & echo $! >"$work/size.pid")
    sleep 20
    python3 "$repo/scripts/harness/size_by_module.py" "$unstripped" --pid "$(cat "$work/size.pid")" --markdown --top 40 \
        | sed 's/^/size: /'
    kill -TERM "$(cat "$work/size.pid")"
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

docker_cli() { docker -H "unix://$work/docker.sock" "$@"; }
# A real dockerd on a private socket with a busybox image, once for the sections that
# need it.
start_docker() {
    [ -S "$work/docker.sock" ] && return 0
    mkdir -p "$work/data" "$work/exec" "$work/rootfs/bin"
    dockerd --host "unix://$work/docker.sock" --data-root "$work/data" --exec-root "$work/exec" \
        --pidfile "$work/docker.pid" --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
        >"$work/dockerd.log" 2>&1 &
    for _ in $(seq 1 100); do docker_cli version >/dev/null 2>&1 && break; sleep 0.2; done
    cp /bin/busybox "$work/rootfs/bin/" && ln -s busybox "$work/rootfs/bin/sleep"
    tar -C "$work/rootfs" -c . | docker_cli import - bench-busybox >/dev/null
}
can_docker() { [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null && [ -x /bin/busybox ]; }
# Starts COUNT idle containers named PREFIX1..PREFIXCOUNT; prints their names, comma-separated.
run_containers() {
    local prefix=$1 count=$2 names=""
    for i in $(seq 1 "$count"); do
        docker_cli run -d --name "$prefix$i" bench-busybox sleep 3600 >/dev/null
        names="$names,$prefix$i"
    done
    echo "${names#,}"
}

# 50 healthy containers against a real dockerd on a private socket.
if ! wants containers; then
    :
elif can_docker; then
    start_docker
    names=$(run_containers c 50)
    times=()
    for run in 1 2 3; do
        times+=("$(WATCHDOG_CONTAINERS="$names" WATCHDOG_DOCKER_SOCK="$work/docker.sock" WATCHDOG_STATE_FILE= \
            WATCHDOG_LOG_LEVEL=error "$binary" once --json --dry-run | collector_ms docker)")
    done
    echo "containers tick:    50 running containers, docker collector: ${times[*]} ms (3 runs)"
    docker_cli rm -f $(docker_cli ps -aq) >/dev/null
else
    echo "containers tick:    skipped (needs root, dockerd and busybox-static)"
fi

# Containers in real time: the events stream, cheap ticks, death -> chat.
if ! wants events; then
    :
elif can_docker; then
    start_docker
    python3 "$repo/scripts/container-events.py" "$binary" "$work/docker.sock" ticks
    python3 "$repo/scripts/container-events.py" "$binary" "$work/docker.sock" latency "${BENCH_KILLS:-20}"
else
    echo "container events:   skipped (needs root, dockerd and busybox-static)"
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

# Prometheus text parsing: a real node-exporter's page, parsed by the watchdog and by
# Python's prometheus_client.
if wants silences; then
    echo "silences:           $("$bench_binary" silences 1000 500 20)"
    echo "                    $("$bench_binary" silences 100 500 20)"
fi

if wants causes; then
    echo "causes:             $("$bench_binary" causes 500 20)"
fi

if wants history; then
    echo "history (in process): $("$bench_binary" status-page 10000 30)"
    "$bench_binary" history-file 10000 "$work/history.jsonl"
    history_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    env -i PATH=/usr/bin:/bin WATCHDOG_STATE_FILE="$work/history-state.json" WATCHDOG_HISTORY_FILE="$work/history.jsonl" \
        WATCHDOG_LISTEN="127.0.0.1:$history_port" WATCHDOG_INTERVAL=30s "$binary" run >"$work/history.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$history_port/healthz" 2>/dev/null && break; sleep 0.1; done
    for _ in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$history_port/"; done
    : >"$work/history-times"
    for _ in $(seq 1 30); do
        curl -s -o "$work/page.html" -w '%{time_total}\n' "http://127.0.0.1:$history_port/" >>"$work/history-times"
    done
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
    echo "history (over HTTP): $(sort -n "$work/history-times" | awk -v bytes="$(wc -c <"$work/page.html")" -v rss="$rss" \
        '{t[NR]=$1*1000} END {printf "{\"incidents\":10000,\"bytes\":%d,\"request_to_last_byte_ms_median\":%.1f,\"max\":%.1f,\"vmrss_kb\":%d}", bytes, t[int((NR+1)/2)], t[NR], rss}')"
fi

if wants prom; then
    exporter_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    prometheus-node-exporter --web.listen-address="127.0.0.1:$exporter_port" >"$work/exporter.log" 2>&1 &
    exporter=$!
    for _ in $(seq 1 100); do curl -fsS -o "$work/node.prom" "http://127.0.0.1:$exporter_port/metrics" 2>/dev/null && break; sleep 0.1; done
    kill "$exporter" 2>/dev/null || true
    swift_parse=$("$bench_binary" prom-parse "$work/node.prom" 200)
    python_parse=$(python3 "$repo/scripts/prom-parse-python.py" "$work/node.prom" 30)
    echo "prometheus parse:   node-exporter page: watchdog $swift_parse"
    echo "                    python prometheus_client $(python3 -c 'import prometheus_client, importlib.metadata as m; print(m.version("prometheus_client"))'): $python_parse"
    echo "prometheus ratio:   $(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print(round(b["wall_ms_median"] / a["wall_ms_median"], 1))' "$swift_parse" "$python_parse") x Python's throughput"
fi

# The world every source watches (sections footprint and compare): 20 containers on the
# private dockerd, 10 EC2 instances on moto_server, 500 extra processes for the /proc
# scan. Sets every_source_env (--env arguments for evidence.py footprint).
every_source_env=()
world_pids=()
start_every_source_world() {
    every_source_env=()
    if can_docker; then
        start_docker
        every_source_env+=(--env "WATCHDOG_CONTAINERS=$(run_containers f 20)" --env "WATCHDOG_DOCKER_SOCK=$work/docker.sock")
    else
        echo "footprint:          without containers (needs root, dockerd and busybox-static)"
    fi
    local moto_port instances
    moto_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
    world_pids+=($!)
    for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$moto_port/moto-api/" 2>/dev/null && break; sleep 0.2; done
    instances=$(python3 - "$moto_port" <<'PY'
import sys, boto3
ec2 = boto3.client("ec2", region_name="eu-west-1", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}",
                   aws_access_key_id="bench", aws_secret_access_key="bench")
answer = ec2.run_instances(ImageId="ami-12c6146b", MinCount=10, MaxCount=10)
print(",".join(instance["InstanceId"] for instance in answer["Instances"]))
PY
)
    every_source_env+=(--env "WATCHDOG_EC2_INSTANCE_IDS=$instances" --env "WATCHDOG_EC2_INTERVAL=1s"
        --env AWS_REGION=eu-west-1 --env AWS_ACCESS_KEY_ID=bench --env AWS_SECRET_ACCESS_KEY=bench
        --env "AWS_ENDPOINT_URL=http://127.0.0.1:$moto_port" --env WATCHDOG_PROC_ENABLED=true)
    for _ in $(seq 1 500); do sleep 3600 & world_pids+=($!); done
}
stop_every_source_world() {
    [ "${#world_pids[@]}" -gt 0 ] && kill "${world_pids[@]}" 2>/dev/null || true
    [ "${#world_pids[@]}" -gt 0 ] && wait "${world_pids[@]}" 2>/dev/null || true
    world_pids=()
    # The next section that needs the world starts its containers again.
    if [ -S "$work/docker.sock" ]; then
        docker -H "unix://$work/docker.sock" rm -f $(docker -H "unix://$work/docker.sock" ps -aq) >/dev/null 2>&1 || true
    fi
}

# Monit watching the host, the 500 processes and the 10 dependency ports each second for
# 60 s; prints its resident memory in kB and its CPU per cycle in ms.
monit_footprint() {
    local healthy_port silent_port monit_pid utime stime monit_rss
    read -r healthy_port silent_port < <(python3 -u "$repo/scripts/bench-peers.py" & echo $! > "$work/peers.pid"; wait)
    peers=$(cat "$work/peers.pid")
    {
        echo "set daemon 1"
        echo "set logfile $work/monit.log"
        echo "set idfile $work/monit.id"
        echo "set statefile $work/monit.state"
        echo "check system bench"
        echo "  if memory usage > 90% then alert"
        echo "check filesystem root with path /"
        echo "  if space usage > 90% then alert"
        echo "check process sleepers matching \"sleep 3600\""
        echo "  if does not exist then alert"
        for i in $(seq 1 10); do
            echo "check host dep$i with address 127.0.0.1"
            echo "  if failed port $healthy_port protocol http request \"/health\" then alert"
        done
    } >"$work/monitrc"
    chmod 600 "$work/monitrc"
    monit -I -c "$work/monitrc" >/dev/null 2>&1 &
    monit_pid=$!
    sleep 60
    monit_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$monit_pid/status")
    read -r utime stime < <(awk '{print $14, $15}' "/proc/$monit_pid/stat")
    kill "$monit_pid" 2>/dev/null || true
    kill "$peers" 2>/dev/null || true
    peers=""
    echo "$monit_rss $(( (utime + stime) * 1000 / $(getconf CLK_TCK) / 60 ))"
}

# Every source on, then Monit watching the same things for the same time.
if wants footprint; then
    start_every_source_world
    python3 "$repo/scripts/evidence.py" footprint "$binary" --interval 100ms --ticks 1000 "${every_source_env[@]}" | grep -v '^footprint: seed'
    echo "footprint at 1 s:   the same sources at WATCHDOG_INTERVAL=1s for 60 ticks:"
    python3 "$repo/scripts/evidence.py" footprint "$binary" --interval 1s --ticks 90 "${every_source_env[@]}" | grep -E '^(memory|cpu)'
    read -r monit_rss monit_cpu < <(monit_footprint)
    echo "monit $(monit -V | head -n 1 | awk '{print $NF}'):        the host, 500 processes by pattern, 10 HTTP ports, every 1 s for 60 s:" \
        "RSS ${monit_rss} kB, CPU ${monit_cpu} ms per cycle"
    stop_every_source_world
fi

# Where the CPU of a tick with every source goes: callgrind on the unstripped binary (the
# same code as the shipped one, symbols kept), 90 ticks at 1 s, start-up included.
if wants profile; then
    start_every_source_world
    unstripped=$("$repo/scripts/release-binary.sh" --unstripped watchdog)
    # valgrind 3.19 cannot read the toolchain's DWARF 5: symbols only.
    objcopy --strip-debug "$unstripped" "$work/profiled"
    python3 "$repo/scripts/evidence.py" footprint "$work/profiled" --interval 1s --ticks 90 "${every_source_env[@]}" \
        --wrap "valgrind --tool=callgrind --demangle=no --callgrind-out-file=$work/callgrind.out" | grep -E '^(sources|collectors)' \
        | sed 's/^/profile: /'
    python3 "$repo/scripts/harness/profile_table.py" "$work/callgrind.out" "$work/profiled" \
        --build "$(dirname "$unstripped")" --ticks 90 --top 30 | sed 's/^/profile: /'
    stop_every_source_world
fi

# Cost as work grows.
if wants growth; then
    python3 "$repo/scripts/growth.py" "$work/watchdog.stripped" ${BENCH_GROWTH_PLOT:+--plot "$BENCH_GROWTH_PLOT"}
fi

# Footprint side by side (issue 21): each binary of BENCH_COMPARE ("label=path ...", the
# unstripped binaries; default: this build) measured the same way in one run, then Monit
# and node-exporter on the same machine. Per binary: size unstripped and stripped, exec
# to first tick (cold: page cache dropped; warm: median of 5), resident memory idle
# (host checks, /metrics scraped once a second, after idle-seconds) and with every source
# on after 1,000 ticks at 100 ms, where it goes by mapping, and the image it makes
# (the Dockerfile's runtime stage, when the test script's Debian base image is cached).
idle_footprint() {
    local binary=$1 port idle_pid rss
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    WATCHDOG_INTERVAL=1s WATCHDOG_LISTEN=127.0.0.1:$port WATCHDOG_STATE_FILE= \
        "$binary" run 2>"$work/idle.stderr" >/dev/null &
    idle_pid=$!
    for _ in $(seq 1 "$idle_seconds"); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/metrics" 2>/dev/null || true
        sleep 1
    done
    python3 "$repo/scripts/harness/smaps.py" "$idle_pid"
    kill -TERM "$idle_pid"
    wait "$idle_pid" 2>/dev/null || true
}
image_size() {
    local stripped=$1 base=${WATCHDOG_BASE_IMAGE_CACHE:-/var/cache/watchdog-tests}/debian-bookworm-minbase-v2.tar
    if [ ! -s "$base" ] || ! can_docker; then
        echo "n/a (needs the test script's base image, $base, and dockerd)"
        return 0
    fi
    start_docker
    docker_cli image inspect watchdog-bench-base >/dev/null 2>&1 || docker_cli import "$base" watchdog-bench-base >/dev/null
    rm -rf "$work/builder" && mkdir -p "$work/builder"
    cp "$stripped" "$work/builder/watchdog"
    printf 'FROM watchdog-bench-base\nCOPY watchdog /out/watchdog\n' >"$work/builder/Dockerfile"
    docker_cli build --network=none -q -t watchdog-bench-builder "$work/builder" >/dev/null
    docker_cli build --network=none -q --target runtime --build-arg BUILDER_IMAGE=watchdog-bench-builder \
        -t watchdog-bench-image -f "$repo/Dockerfile" "$repo" >/dev/null
    echo "$(docker_cli image inspect -f '{{.Size}}' watchdog-bench-image) bytes"
    docker_cli rmi -f watchdog-bench-image watchdog-bench-builder >/dev/null
}
if wants compare; then
    start_every_source_world
    for item in ${BENCH_COMPARE:-"this=$("$repo/scripts/release-binary.sh" --unstripped watchdog)"}; do
        label=${item%%=*}
        path=${item#*=}
        strip -o "$work/$label.stripped" "$path"
        echo "compare $label:       $path"
        echo "  binary:           $(stat -c %s "$path") bytes unstripped, $(stat -c %s "$work/$label.stripped") stripped"
        echo "  image:            $(image_size "$work/$label.stripped")"
        cold="n/a (cannot drop the page cache)"
        if sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then cold="$(first_tick_ms "$work/$label.stripped") ms"; fi
        warm=()
        for _ in 1 2 3 4 5; do warm+=("$(first_tick_ms "$work/$label.stripped")"); done
        echo "  exec to 1st tick: cold $cold, warm $(printf '%s\n' "${warm[@]}" | sort -n | sed -n 3p) ms (median of ${warm[*]})"
        echo "  idle ${idle_seconds} s:        $(idle_footprint "$work/$label.stripped")"
        python3 "$repo/scripts/evidence.py" footprint "$work/$label.stripped" --interval 100ms --ticks 1000 \
            "${every_source_env[@]}" | grep -E '^(memory|mappings|cpu)' | sed 's/^/  every source: /'
    done
    read -r monit_rss monit_cpu < <(monit_footprint)
    echo "compare monit:      $(monit -V | head -n 1 | awk '{print $NF}'), the host, 500 processes, 10 HTTP ports every 1 s for 60 s: RSS ${monit_rss} kB"
    exporter_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    prometheus-node-exporter --web.listen-address="127.0.0.1:$exporter_port" >"$work/exporter.log" 2>&1 &
    exporter=$!
    for _ in $(seq 1 "$idle_seconds"); do
        curl -fsS -o /dev/null "http://127.0.0.1:$exporter_port/metrics" 2>/dev/null || true
        sleep 1
    done
    echo "compare node-exporter: $(prometheus-node-exporter --version 2>&1 | head -n 1 | awk '{print $3}'), default collectors, scraped once a second for ${idle_seconds} s: $(python3 "$repo/scripts/harness/smaps.py" "$exporter")"
    kill "$exporter" 2>/dev/null || true
    stop_every_source_world
fi

# Detection latency: fault injected -> fire message accepted by the Telegram stand-in.
if wants latency; then
    python3 "$repo/scripts/evidence.py" latency "$binary" --interval 1s --faults "${BENCH_FAULTS:-100}" | grep -v '^latency: seed'
fi

if wants chat; then
    echo "chat (matrix):      $(python3 "$repo/scripts/chat-latency.py" "$binary" --commands "${BENCH_CHAT_COMMANDS:-20}")"
fi

# Hostile inputs: what each costs, and that none is a crash (SPEC §1).
if wants hostile; then
    python3 "$repo/scripts/hostile.py" "$binary" --ticks "${BENCH_HOSTILE_TICKS:-20}"
fi
