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

# Installs Debian packages whose command is missing: "command:package" pairs.
ensure_commands() {
    local missing=()
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_commands prometheus-alertmanager:prometheus-alertmanager

# Tests that need a real peer fail (instead of skipping) when it is missing.
export WATCHDOG_TEST_REQUIRE_PEERS=1

echo "== swift format lint --strict"
swift format lint --strict --recursive Sources Tests Package.swift

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

echo "== tests"
swift test --skip-build
