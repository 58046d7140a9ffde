#!/usr/bin/env bash
# Builds PRODUCT (watchdog by default) as the image ships it, release with the Swift
# runtime and Foundation linked in, and prints the binary's path. Build output is shown
# only when the build fails. Used by bench.sh, soak.sh and crash.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
product=${1:-watchdog}
flags=(-c release --product "$product" --static-swift-stdlib)
if ! output=$(swift build "${flags[@]}" 2>&1); then
    echo "$output" >&2
    exit 1
fi
echo "$(swift build "${flags[@]}" --show-bin-path)/$product"
