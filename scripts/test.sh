#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
# formatting lint, a warnings-as-errors build, then every test.
#
# It installs what the tests need when it is missing, so it passes on a fresh machine:
# real peers the tests talk to (Alertmanager) come from Debian's packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "scripts/test.sh: the Swift toolchain (swift) is not on PATH" >&2
    exit 1
fi

# Installs the Debian packages that are not installed yet.
ensure_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Real peers: Alertmanager, node-exporter (real Prometheus text); dockerd with a static busybox for the test image.
ensure_packages prometheus prometheus-alertmanager prometheus-node-exporter docker.io busybox-static tar

# Docker tests start daemons of their own on private sockets (/tmp/wdd-*) and stop
# them; should a test crash, none is left running.
trap 'pkill -f "dockerd --host unix:///tmp/wdd-" 2>/dev/null || true' EXIT

# Tests that need a real peer fail (instead of skipping) when it is missing.
export WATCHDOG_TEST_REQUIRE_PEERS=1

echo "== swift format lint --strict"
swift format lint --strict --recursive Sources Tests Package.swift

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

echo "== tests"
swift test --skip-build
