#!/usr/bin/env bash
# Soak with fault injection (issue 9, docs/evidence.md): the release binary at a
# 100 ms tick for 10,000 ticks against local stand-ins (orchestrator, dependencies,
# heartbeat pings, Telegram) that inject faults on a random schedule; then every fault
# must have given exactly one fire and one resolve, in order, with nothing else sent,
# resident memory after warm-up must not grow by more than 1 MB, and no secret may
# appear in a log line. The harness is scripts/harness, run by scripts/evidence.py.
#
#   scripts/soak.sh [ticks] [seed]      # 10000 ticks, a random seed (printed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary=$(scripts/release-binary.sh watchdog)
exec python3 scripts/evidence.py soak "$binary" --ticks "${1:-10000}" ${2:+--seed "$2"}
