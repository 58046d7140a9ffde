#!/usr/bin/env bash
# Fails when shipped code reads a clock outside the files allowed to (SPEC: one clock,
# read once per tick). Below the tick, code gets the tick's `now` or an injected clock;
# a new `Date()`, `Date.now`, `ContinuousClock.now`, `NIODeadline.now()` or implicit
# `.now` anywhere else is a bug until it is listed in scripts/clock-readers.txt with the
# reason it must read the time itself.
#
#   scripts/check-clock.sh            # from anywhere in the repository
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

allowed="scripts/clock-readers.txt"
# Clock reads by name, and the implicit member `.now` (as in `deadline: .now + budget`);
# `clock.now` on an injected clock is not a read of its own and does not match.
pattern='Date\(\)|Date\.now|(Continuous|Suspending)Clock(\(\)|\.now)|NIODeadline\.now\(\)|(^|[^]A-Za-z0-9_)])\.now\b'

# The binary's targets; the benchmark and fuzzing helpers measure time on purpose.
shipped=(Sources/OutboundHTTP Sources/Collectors Sources/Notify Sources/Watchdog Sources/WatchdogCLI)

status=0
while IFS= read -r hit; do
    file="${hit%%:*}"
    if ! grep -v '^#' "$allowed" | awk '{print $1}' | grep -qxF "$file"; then
        echo "check-clock: $hit" >&2
        status=1
    fi
done < <(grep -rnE --include='*.swift' "$pattern" "${shipped[@]}" | grep -vE '^[^:]+:[0-9]+:\s*//' || true)

# A listed file that reads no clock any more is dropped from the list, so the list
# stays the truth.
while read -r file _; do
    [ -n "$file" ] || continue
    if ! grep -qE "$pattern" "$file" 2>/dev/null; then
        echo "check-clock: $allowed lists $file, which reads no clock" >&2
        status=1
    fi
done < <(grep -v '^#' "$allowed")

if [ "$status" -ne 0 ]; then
    echo "check-clock: pass the tick's now or an injected clock instead, or list the file in $allowed with the reason" >&2
fi
exit "$status"
