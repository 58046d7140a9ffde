#!/usr/bin/env bash
# Fuzzes every parser of outside input with libFuzzer (issue 9, docs/evidence.md).
#
#   scripts/fuzz.sh [seconds-per-target] [target ...]
#
# Builds watchdog-fuzz with -sanitize=fuzzer,address into .build-fuzz, then runs each
# target for the given time (60 s by default) on a corpus seeded from
# Tests/WatchdogTests/FuzzInputs/<target>. Prints one line per target: executions and
# findings. A finding (crash, hang over 5 s, more than 2 GB) is written to
# .build-fuzz/fuzz/findings/<target>/; fix it and keep the input in FuzzInputs, where
# the test suite replays it. Exits 1 when this run found anything. Every run continues
# from the corpus the earlier runs grew.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-60}"
shift || true
build=.build-fuzz
# libFuzzer's instrumentation and runtime without its own main (-sanitize=fuzzer would
# bring a second `main`; SwiftPM gives this executable's entry point its own name).
fuzzer_runtime="$(find "$(dirname "$(dirname "$(command -v swiftc)")")/lib" -name 'libclang_rt.fuzzer_no_main-*.a' 2>/dev/null | head -n 1)"
[ -n "$fuzzer_runtime" ] || { echo "scripts/fuzz.sh: libclang_rt.fuzzer_no_main not found in the toolchain" >&2; exit 1; }
flags=(-c release --build-path "$build" --product watchdog-fuzz
    -Xswiftc -DFUZZING -Xswiftc -parse-as-library -Xswiftc -sanitize=address
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
    -Xlinker "$fuzzer_runtime" -Xlinker -lstdc++)
echo "== building watchdog-fuzz (libFuzzer coverage + AddressSanitizer)"
swift build "${flags[@]}" 2>&1 | grep -v "Cannot export local symbol" || true
binary="$(swift build "${flags[@]}" --show-bin-path)/watchdog-fuzz"
[ -x "$binary" ] || { echo "scripts/fuzz.sh: the build failed" >&2; exit 1; }

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(ls Tests/WatchdogTests/FuzzInputs)
fi

work="$build/fuzz"
found=0
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    findings="$work/findings/$target"
    mkdir -p "$corpus" "$findings"
    cp -n Tests/WatchdogTests/FuzzInputs/"$target"/* "$corpus"/ 2>/dev/null || true
    log="$work/$target.log"
    # Findings of this run only: older ones stay until their inputs are kept and deleted.
    marker="$work/$target.started"
    touch "$marker"
    status=0
    WATCHDOG_FUZZ_TARGET="$target" "$binary" "$corpus" -max_total_time="$seconds" -timeout=5 \
        -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$findings/" -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    crashes="$(find "$findings" -type f -newer "$marker" | wc -l)"
    printf '%-22s %12s executions in %ss, %s finding(s)\n' "$target" "${runs:-?}" "$seconds" "$crashes"
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        found=1
        echo "   see $log and $findings" >&2
    fi
done
exit "$found"
