#!/usr/bin/env bash
# Benchmarks, reported, never asserted: resident memory of `watchdog run` at idle (host
# checks only, release build), time from exec to the first completed tick, binary size.
#
#   scripts/bench.sh [seconds]     # seconds of idle running before memory is read (default 30)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
idle_seconds=${1:-30}

swift build -c release --product watchdog >/dev/null
binary=$(swift build -c release --show-bin-path)/watchdog
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cd "$work"
start_ns=$(date +%s%N)
WATCHDOG_INTERVAL=1s WATCHDOG_LISTEN=off WATCHDOG_STATE_FILE= WATCHDOG_LOG_LEVEL=debug \
    "$binary" run 2>"$work/stderr" >"$work/stdout" &
pid=$!
until grep -q "tick done" "$work/stderr"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/stderr" >&2; exit 1; }
    sleep 0.005
done
first_tick_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
sleep "$idle_seconds"
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
ticks=$(grep -c "tick done" "$work/stderr")
read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
clock_ticks=$(getconf CLK_TCK)
kill -TERM "$pid"
wait "$pid" || true

cpu_ms=$(( (utime + stime) * 1000 / clock_ticks ))
echo "machine:            $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "binary size:        $(stat -c %s "$binary") bytes ($binary)"
echo "exec to first tick: ${first_tick_ms} ms (includes the shell's polling, 5 ms steps)"
echo "idle after:         ${idle_seconds} s, ${ticks} ticks at 1 s"
echo "resident memory:    ${rss_kb} kB now, ${hwm_kb} kB peak"
echo "cpu time:           ${cpu_ms} ms total, $(( cpu_ms * 1000 / (ticks > 0 ? ticks : 1) )) µs per tick"
