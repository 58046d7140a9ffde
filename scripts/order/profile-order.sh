#!/usr/bin/env bash
# Writes a symbol-ordering file for BINARY from a profile of BINARY itself: the functions
# it runs, so that the linker puts them next to each other (scripts/release-binary.sh).
#
#   scripts/order/profile-order.sh BINARY ORDER-FILE
#
# Why: of the watchdog's ~24 MB of code, one run executes about 1.5 MB, scattered over
# the whole text; the kernel maps code in 64 KB chunks around each page fault, so the
# scattered hot code kept ~19 MB of the binary resident. Packed together, it is a few MB.
# The kernel cannot say which functions ran (it reads executables in 64 KB units even
# under MADV_RANDOM), so the profile is valgrind's callgrind: every function executed,
# by its symbol name. A profile from another build is nearly worthless (other code,
# other names), so this runs on the binary being linked, every time its objects change.
#
# The workload needs nothing outside the machine: `watchdog run` at 200 ms ticks (the
# harness's interval flag) with
# its endpoint on, probing its own endpoint over HTTP and TCP and a refused port,
# scraping its own /metrics as the orchestrator, scanning /proc, a Docker socket that is
# not there, a heartbeat, the state file, Telegram and EC2 pointed at its own endpoint
# (signed requests, sends and long polls that get 404s: the code runs, nothing leaves the
# machine), the refused probe and the missing Docker firing, and `watchdog healthcheck`
# against it; for about 40 s under valgrind, then SIGTERM. Code no profile reaches
# (Docker's events, a 200 from Telegram) stays where the linker puts it by default.
set -euo pipefail
binary=$1
order=$2

if ! command -v valgrind >/dev/null; then
    echo "profile-order.sh: valgrind is not installed" >&2
    exit 1
fi
work=$(mktemp -d /tmp/watchdog-profile.XXXXXX)
watchdog_pid=""
cleanup() {
    [ -n "$watchdog_pid" ] && kill -9 "$watchdog_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# valgrind 3.19 (Debian 12) cannot read the DWARF 5 the toolchain writes: profile a copy
# without debug information; the symbol table, all the order file needs, stays.
objcopy_tool=$(command -v objcopy || command -v llvm-objcopy)
"$objcopy_tool" --strip-debug "$binary" "$work/profiled"

for attempt in 1 2 3; do
    port=$((20000 + RANDOM % 20000))
    rm -f "$work/callgrind.out" "$work/stderr"
    WATCHDOG_INTERVAL=1s WATCHDOG_HTTP_TIMEOUT=5s WATCHDOG_LISTEN="127.0.0.1:$port" \
        WATCHDOG_STATE_FILE="$work/state.json" WATCHDOG_LOG_LEVEL=debug \
        WATCHDOG_DEPS="self=http://127.0.0.1:$port/healthz,selftcp=tcp://127.0.0.1:$port,refused=http://127.0.0.1:1/" \
        WATCHDOG_ORCH_METRICS_URL="http://127.0.0.1:$port/metrics" \
        WATCHDOG_PROC_ENABLED=true WATCHDOG_PROC_PATTERNS="pytest,re:^sleep [0-9]+$" \
        WATCHDOG_CONTAINERS=profile WATCHDOG_DOCKER_SOCK="$work/no-docker.sock" \
        WATCHDOG_HEARTBEATS="profile-job=1h" \
        WATCHDOG_TELEGRAM_BOT_TOKEN=123456:profile WATCHDOG_TELEGRAM_CHAT_ID=-100123 \
        WATCHDOG_TELEGRAM_API_URL="http://127.0.0.1:$port" \
        WATCHDOG_EC2_INSTANCE_IDS=i-0123456789abcdef0 WATCHDOG_EC2_INTERVAL=1s AWS_REGION=eu-west-1 \
        AWS_ACCESS_KEY_ID=profile AWS_SECRET_ACCESS_KEY=profile AWS_ENDPOINT_URL="http://127.0.0.1:$port" \
        valgrind --tool=callgrind --compress-strings=no --demangle=no \
        --callgrind-out-file="$work/callgrind.out" "$work/profiled" run --harness-tick-interval 200ms \
        >"$work/stdout" 2>"$work/stderr" &
    watchdog_pid=$!
    started=false
    for _ in $(seq 1 120); do
        kill -0 "$watchdog_pid" 2>/dev/null || break
        if grep -q "tick done" "$work/stderr"; then
            started=true
            break
        fi
        sleep 0.5
    done
    if $started; then break; fi
    kill -9 "$watchdog_pid" 2>/dev/null || true
    wait "$watchdog_pid" 2>/dev/null || true
    watchdog_pid=""
done
if [ -z "$watchdog_pid" ]; then
    echo "profile-order.sh: the watchdog did not start under valgrind:" >&2
    tail -n 20 "$work/stderr" >&2
    exit 1
fi
for _ in $(seq 1 8); do
    sleep 5
    WATCHDOG_LISTEN="127.0.0.1:$port" "$binary" healthcheck >/dev/null 2>&1 || true
done
kill -TERM "$watchdog_pid"
wait "$watchdog_pid" 2>/dev/null || true
watchdog_pid=""
if [ ! -s "$work/callgrind.out" ]; then
    echo "profile-order.sh: callgrind wrote no profile" >&2
    tail -n 20 "$work/stderr" >&2
    exit 1
fi

# Every function that ran ("fn=" for the function, "cfn=" for a callee), kept if the
# binary defines it; in the order callgrind first names them.
nm_tool=$(command -v llvm-nm || command -v nm)
"$nm_tool" --defined-only "$binary" | awk '$2 ~ /^[tTwW]$/ {print $3}' | sort -u >"$work/defined"
sed -n 's/^c\{0,1\}fn=//p' "$work/callgrind.out" | awk '!seen[$0]++' >"$work/ran"
awk 'NR == FNR {defined[$0] = 1; next} ($0 in defined)' "$work/defined" "$work/ran" >"$work/order"
count=$(wc -l <"$work/order")
if [ "$count" -lt 100 ]; then
    echo "profile-order.sh: only $count functions profiled; something is wrong" >&2
    exit 1
fi
mv "$work/order" "$order"
echo "profile-order.sh: $count functions ran in $(grep -c 'tick done' "$work/stderr") ticks under valgrind" >&2
