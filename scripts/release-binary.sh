#!/usr/bin/env bash
# Builds PRODUCT (watchdog by default) the way the image ships it and prints the path of
# the stripped binary (.build/shipped/PRODUCT). Build output is shown only when the build
# fails. Used by the Dockerfile, scripts/test.sh, bench.sh, soak.sh and crash.sh, so that
# what is tested and measured is what ships.
#
#   scripts/release-binary.sh [PRODUCT]              # the stripped binary's path
#   scripts/release-binary.sh --unstripped [PRODUCT] # the linked binary, symbols kept
#
# The link is chosen for a small resident footprint (measured in BENCHMARKS.md,
# "Footprint: the lean link"):
#   --static-swift-stdlib   the Swift runtime and FoundationEssentials linked in: the
#                           image needs no Swift libraries;
#   -Osize                  every Swift module, dependencies included, optimized for
#                           size: less code to fault in, at no measurable cost per tick;
#   -no-pie                 a position-dependent executable: no relocations to apply at
#                           start, so fewer pages of the binary are written and kept;
#   --no-export-dynamic     Swift's driver exports every symbol for backtraces; the
#                           dynamic symbol table then stays resident for nothing.
# The stripped copy drops the symbol tables (disk only: they are never loaded).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unstripped=false
if [ "${1:-}" = "--unstripped" ]; then
    unstripped=true
    shift
fi
product=${1:-watchdog}
flags=(
    -c release --product "$product" --static-swift-stdlib
    -Xswiftc -Osize
    -Xlinker -no-pie -Xlinker --no-export-dynamic
)
if ! output=$(swift build "${flags[@]}" 2>&1); then
    echo "$output" >&2
    exit 1
fi
linked="$(swift build "${flags[@]}" --show-bin-path)/$product"
if $unstripped; then
    echo "$linked"
    exit 0
fi
mkdir -p .build/shipped
strip_tool=$(command -v strip || command -v llvm-strip || true)
if [ -z "$strip_tool" ]; then
    echo "scripts/release-binary.sh: neither strip nor llvm-strip is installed" >&2
    exit 1
fi
"$strip_tool" -o ".build/shipped/$product.partial" "$linked"
mv ".build/shipped/$product.partial" ".build/shipped/$product"
echo "$(pwd)/.build/shipped/$product"
