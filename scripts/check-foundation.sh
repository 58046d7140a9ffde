#!/usr/bin/env bash
# The shipped targets build on FoundationEssentials only (docs/footprint.md): full
# Foundation on Linux brings FoundationInternationalization and ICU, tens of megabytes
# of binary and resident memory that a sidecar does not need.
#
#   scripts/check-foundation.sh                  # the sources of the shipped targets
#   scripts/check-foundation.sh BINARY...        # ...and what each binary links
#
# Sources: no shipped target imports Foundation, FoundationInternationalization,
# FoundationNetworking or FoundationXML (tests and the benchmark and fuzz helpers may).
# Binaries: a source check is not enough, since a dependency (or its default trait) can
# bring Foundation in by itself, so the linked binary is read: no symbol defined by
# Foundation, FoundationInternationalization, CoreFoundation or ICU, and no such shared
# library among its dependencies. A stripped binary has no symbols to read: give the
# one the build left before stripping.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

shipped_targets=(Digests FoundationGaps OutboundHTTP Collectors Notify Watchdog WatchdogCLI)
status=0

imports=$(grep -rnE --include='*.swift' \
    '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]+((typealias|struct|class|enum|protocol|let|var|func)[[:space:]]+)?(Foundation|FoundationInternationalization|FoundationNetworking|FoundationXML)([.[:space:]]|$)' \
    "${shipped_targets[@]/#/Sources/}" || true)
if [ -n "$imports" ]; then
    echo "check-foundation: shipped targets import full Foundation (use FoundationEssentials):" >&2
    echo "$imports" >&2
    status=1
fi

nm_tool=$(command -v llvm-nm || command -v nm || true)
for binary in "$@"; do
    if [ ! -e "$binary" ]; then
        echo "check-foundation: no such binary: $binary" >&2
        status=1
        continue
    fi
    if [ -z "$nm_tool" ]; then
        echo "check-foundation: neither llvm-nm nor nm is installed; cannot read $binary" >&2
        exit 1
    fi
    symbols=$("$nm_tool" --defined-only "$binary" 2>/dev/null | awk '{print $NF}')
    if [ -z "$symbols" ]; then
        echo "check-foundation: $binary defines no symbols (stripped?): give the unstripped binary" >&2
        status=1
        continue
    fi
    # Foundation's Swift symbols start with its mangled module name; the extensions of
    # FoundationInternationalization name it; ICU's C++ symbols are in namespace
    # icu_NN; CoreFoundation's public C functions start with CF (FoundationEssentials
    # has a few __CFUniChar tables of its own, which do not count).
    found=$(grep -E '^\$s10Foundation|Internationalization|^_ZN6icu_[0-9]+|^CF[A-Z][A-Za-z]+|^__CFInitialize$' <<<"$symbols" || true)
    if [ -n "$found" ]; then
        echo "check-foundation: $binary links full Foundation, FoundationInternationalization or ICU" \
            "($(wc -l <<<"$found") symbols), for example:" >&2
        head -n 5 <<<"$found" | sed 's/^/    /' >&2
        status=1
    fi
    if command -v readelf >/dev/null; then
        needed=$(readelf -d "$binary" 2>/dev/null | grep -E 'NEEDED.*\[(libFoundation\.so|libFoundation(Internationalization|Networking|XML)|lib_FoundationICU|libicu)' || true)
        if [ -n "$needed" ]; then
            echo "check-foundation: $binary loads Foundation or ICU as a shared library:" >&2
            echo "$needed" >&2
            status=1
        fi
    fi
done

if [ "$status" -eq 0 ]; then
    echo "check-foundation: FoundationEssentials only (${#shipped_targets[@]} targets$([ $# -gt 0 ] && echo ", $# binary"))"
fi
exit "$status"
