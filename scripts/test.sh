#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
# formatting lint, a warnings-as-errors build, then every test.
#
# It installs what the tests need when it is missing, so it passes on a fresh machine.
# Today the tests need only the Swift toolchain; suites that need real peers (dockerd,
# Alertmanager, moto_server) add their installs here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "scripts/test.sh: the Swift toolchain (swift) is not on PATH" >&2
    exit 1
fi

echo "== swift format lint --strict"
swift format lint --strict --recursive Sources Tests Package.swift

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

echo "== tests"
swift test --skip-build
