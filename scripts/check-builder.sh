#!/usr/bin/env bash
# Fails when the Dockerfile's default builder image (ARG BUILDER_IMAGE=swift:X.Y-...)
# carries an older Swift than the package needs: the highest swift-tools-version among
# this package and every dependency it resolved. `docker compose up` builds with that
# image, and CI builds the binary on the host, so without this check only a user finds out.
#
#   scripts/check-builder.sh [DOCKERFILE]     # after `swift build` has checked the dependencies out
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dockerfile="${1:-Dockerfile}"

image="$(sed -n 's/^ARG BUILDER_IMAGE=//p' "$dockerfile" | head -n 1)"
builder="$(printf '%s' "$image" | sed -n 's/^swift:\([0-9][0-9.]*[0-9]\).*/\1/p')"
if [ -z "$builder" ]; then
    echo "check-builder: cannot read a Swift version from ARG BUILDER_IMAGE=$image in $dockerfile" >&2
    exit 1
fi

# The higher of two versions, as sort -V orders them.
higher() { printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1; }

needed="" needed_by="" manifests=0
for manifest in Package.swift .build/checkouts/*/Package.swift; do
    [ -f "$manifest" ] || continue
    version="$(head -n 1 "$manifest" | sed -n 's|^// *swift-tools-version: *\([0-9][0-9.]*\).*|\1|p')"
    [ -n "$version" ] || continue
    manifests=$((manifests + 1))
    if [ -z "$needed" ] || { [ "$version" != "$needed" ] && [ "$(higher "$needed" "$version")" = "$version" ]; }; then
        needed="$version" needed_by="$manifest"
    fi
done
if [ "$manifests" -lt 2 ]; then
    echo "check-builder: no resolved dependencies in .build/checkouts; run swift build first" >&2
    exit 1
fi
if [ "$builder" != "$needed" ] && [ "$(higher "$builder" "$needed")" = "$needed" ]; then
    echo "check-builder: $dockerfile builds with $image (Swift $builder), but $needed_by needs swift-tools-version $needed" >&2
    exit 1
fi
echo "check-builder: $image (Swift $builder) covers swift-tools-version $needed ($needed_by; $manifests manifests)"
