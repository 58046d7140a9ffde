#!/usr/bin/env bash
# Builds PRODUCT (watchdog by default) the way the image ships it and prints the path of
# the stripped binary (.build-shipped/stripped/PRODUCT). Build output is shown only when
# the build fails. Its own scratch path (.build-shipped, ignored by git): the flags below
# differ from a plain `swift build -c release`, and sharing `.build` made the README's
# `swift run -c release watchdog` and this build rebuild each other from scratch. Used by the Dockerfile, scripts/test.sh, bench.sh, soak.sh and crash.sh, so that
# what is tested and measured is what ships.
#
#   scripts/release-binary.sh [PRODUCT]              # the stripped binary's path
#   scripts/release-binary.sh --unstripped [PRODUCT] # the linked binary, symbols kept
#
# The link is chosen for a small resident footprint (each option measured in
# BENCHMARKS.md, "Footprint: FoundationEssentials and the lean link"):
#   --static-swift-stdlib   the Swift runtime and FoundationEssentials linked in: the
#                           image needs no Swift libraries;
#   -Osize                  every Swift module, dependencies included, optimized for size;
#   -no-pie                 a position-dependent executable: no relocations to apply at
#                           start, so the binary's data pages stay clean;
#   --no-export-dynamic     Swift's driver exports every symbol for backtraces; the
#                           dynamic symbol table then stays resident for nothing;
#   no unwind tables (watchdog only; scripts/order/discard-unwind-tables.ld): .eh_frame
#                           and its index are 5.1 MB of the stripped binary that nothing
#                           reads: no C++ exception crosses the binary's code and Swift's
#                           errors are return values (docs/footprint.md, "The link");
#   function sections, lld and a symbol-ordering file (watchdog only): the functions a
#                           profile of this very build ran are laid out together
#                           (scripts/order/profile-order.sh, valgrind's callgrind), so the
#                           kernel's 64 KB chunks around each fault hold hot code only.
#                           The profile runs again whenever an object file changed; without
#                           valgrind the link goes on unordered, with a warning.
# The stripped copy drops the symbol tables (disk only: they are never loaded).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unstripped=false
if [ "${1:-}" = "--unstripped" ]; then
    unstripped=true
    shift
fi
product=${1:-watchdog}
scratch=.build-shipped
mkdir -p "$scratch/stripped"
flags=(
    -c release --product "$product" --scratch-path "$scratch" --static-swift-stdlib
    -Xswiftc -Osize -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections
    -Xswiftc -use-ld=lld -Xlinker -no-pie -Xlinker --no-export-dynamic
)
order=""
if [ "$product" = watchdog ]; then
    order="$(pwd)/$scratch/stripped/$product.order"
    [ -f "$order" ] || : >"$order"
    flags+=(-Xlinker "--symbol-ordering-file=$order" -Xlinker --no-warn-symbol-ordering)
    flags+=(-Xlinker -T -Xlinker "$(pwd)/scripts/order/discard-unwind-tables.ld")
fi
build() {
    local output
    if ! output=$(swift build "${flags[@]}" 2>&1); then
        echo "$output" >&2
        exit 1
    fi
}
build
linked="$(swift build "${flags[@]}" --show-bin-path)/$product"

# A new profile when the order is empty or older than any object the product links
# (SwiftPM lists them in the product's Objects.LinkFileList).
objects_newer_than_order() {
    local list object
    list="$(dirname "$linked")/$product.product/Objects.LinkFileList"
    [ -f "$list" ] || return 0
    while IFS= read -r object; do
        object=${object#\"}
        object=${object%\"}
        [ "$object" -nt "$order" ] && return 0
    done <"$list"
    return 1
}
if [ -n "$order" ] && { [ ! -s "$order" ] || objects_newer_than_order; }; then
    if ! command -v valgrind >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        # shellcheck source=scripts/packages.sh
        . scripts/packages.sh
        ensure_packages valgrind || true
    fi
    if scripts/order/profile-order.sh "$linked" "$order.new"; then
        mv "$order.new" "$order"
        # The same objects, linked again in the profiled order.
        rm -f "$linked"
        build
    else
        echo "scripts/release-binary.sh: no profile, so $product is linked without a symbol order" \
            "(it works; more of it stays resident)" >&2
        : >"$order"
        touch "$order"
    fi
fi

if $unstripped; then
    echo "$linked"
    exit 0
fi
strip_tool=$(command -v strip || command -v llvm-strip || true)
if [ -z "$strip_tool" ]; then
    echo "scripts/release-binary.sh: neither strip nor llvm-strip is installed" >&2
    exit 1
fi
"$strip_tool" -o "$scratch/stripped/$product.partial" "$linked"
mv "$scratch/stripped/$product.partial" "$scratch/stripped/$product"
echo "$(pwd)/$scratch/stripped/$product"
