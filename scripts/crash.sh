#!/usr/bin/env bash
# Crash safety (issue 9, docs/evidence.md): the release binary at a 100 ms tick is
# killed with SIGKILL at random moments (50 times by default) and restarted on the same
# state file, while dependencies and the orchestrator fail and recover and the Telegram
# stand-in answers 429, 500 or nothing from time to time. Then: every fault gave one
# fire and one resolve, in order; a message arrived twice only if a kill fell while it
# was in flight; the state file parsed after every kill and was never moved aside.
#
#   scripts/crash.sh [kills] [seed]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
binary=$(scripts/release-binary.sh watchdog)
exec python3 scripts/evidence.py crash "$binary" --kills "${1:-50}" ${2:+--seed "$2"}
