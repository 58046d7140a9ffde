#!/usr/bin/env bash
# Writes the parts of docs/configuration.md, docs/signals.md and .env.example that are
# generated from the code (the configuration and signals tables, the variables with their
# defaults) and checks them: run it after
# adding or changing a variable. ReadmeTests compare the same parts in every test run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
WATCHDOG_REGENERATE_DOCS=1 swift test --filter ReadmeTests
