#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
# formatting lint, the clock-read guard, the FoundationEssentials-only check (sources, then
# the linked binary), a warnings-as-errors build, the Dockerfile's builder check, the shipped
# release build (scripts/release-binary.sh) for the compose test, then every test; it ends with one line
# "N passed, M failed, K skipped" and the names of the failing tests.
#
# It installs what the tests need when it is missing, so it passes on a fresh machine:
# Debian packages (apt: Alertmanager, Prometheus, node-exporter, docker.io, ...) and
# moto[server] (pip). It needs root (apt, its own dockerd) and Debian (apt, debootstrap).
# Every process it starts is stopped by its own pid, never by a name pattern.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "scripts/test.sh: the Swift toolchain (swift) is not on PATH" >&2
    exit 1
fi

# ensure_packages: installs the Debian packages that are missing, waiting for another
# package manager's lock first.
# shellcheck source=scripts/packages.sh
. scripts/packages.sh

# Real peers: Alertmanager, node-exporter (real Prometheus text); dockerd with a static busybox for the test image;
# a headless chromium reads the status page.
ensure_packages prometheus prometheus-alertmanager prometheus-node-exporter docker.io busybox-static tar curl \
    docker-compose debootstrap binutils git valgrind chromium

# Real EC2 and CloudWatch APIs: moto's server (PyPI moto[server]).
if ! python3 -c "import moto.server, flask, flask_cors" >/dev/null 2>&1; then
    echo "== installing moto[server]"
    python3 -m pip install --quiet --disable-pip-version-check "moto[server]"
fi
# The independent client the channel stand-ins are checked with, and whose URL syntax
# the channels by URL follow (PyPI apprise).
if ! python3 -c "import apprise" >/dev/null 2>&1; then
    echo "== installing apprise"
    python3 -m pip install --quiet --disable-pip-version-check "apprise==2.3.0"
fi
# The real peers of the e-mail and Matrix channels: an SMTP server (PyPI aiosmtpd) and a
# Matrix homeserver (PyPI matrix-synapse, on SQLite), both run on loopback by the tests.
if ! python3 -c "import aiosmtpd, synapse" >/dev/null 2>&1; then
    echo "== installing aiosmtpd and matrix-synapse"
    python3 -m pip install --quiet --disable-pip-version-check "aiosmtpd==1.4.6" "matrix-synapse==1.163.2"
fi

# One moto_server for the whole run, on loopback and a free port; the EC2 tests use a
# region each, so they never see each other's instances.
moto_pid=""
moto_log=""
start_moto() {
    local moto_port
    moto_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    moto_log="$(mktemp /tmp/watchdog-moto.XXXXXX.log)"
    python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"$moto_log" 2>&1 &
    moto_pid=$!

    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$moto_port/moto-api/" 2>/dev/null && break
        if ! kill -0 "$moto_pid" 2>/dev/null; then
            echo "scripts/test.sh: moto_server did not start:" >&2
            cat "$moto_log" >&2
            exit 1
        fi
        sleep 0.2
    done
    if ! curl -fsS -o /dev/null "http://127.0.0.1:$moto_port/moto-api/" 2>/dev/null; then
        echo "scripts/test.sh: moto_server is not answering after 20 s" >&2
        exit 1
    fi
    # moto builds its EC2 and CloudWatch backends on their first request, which takes
    # 2-3 s on a quiet machine and far longer while every test suite starts at once; the
    # tests' requests time out at a few seconds. One request each, before the tests,
    # moves that cost out of them. moto routes by the credential scope and does not check
    # the signature.
    local service action version
    for service in ec2 monitoring; do
        if [ "$service" = ec2 ]; then action=DescribeInstances version=2016-11-15; else action=ListMetrics version=2010-08-01; fi
        if ! curl -fsS -o /dev/null --max-time 120 -X POST "http://127.0.0.1:$moto_port/" \
            -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIDWARMUP/20260101/us-east-1/$service/aws4_request, SignedHeaders=host, Signature=00" \
            --data "Action=$action&Version=$version"; then
            echo "scripts/test.sh: moto_server did not answer its $service warm-up request" >&2
            cat "$moto_log" >&2
            exit 1
        fi
    done
    export WATCHDOG_TEST_MOTO_URL="http://127.0.0.1:$moto_port"
}

# The compose end-to-end test (ComposeEndToEndTests) runs the shipped Dockerfile and
# docker-compose.yml: it needs the release binary as the image ships it (Swift runtime
# linked in) and a Debian base image. No image registry is reachable, so the base is
# made with debootstrap from the Debian mirror apt uses, and cached between runs.
base_image_cache="${WATCHDOG_BASE_IMAGE_CACHE:-/var/cache/watchdog-tests}/debian-bookworm-minbase-v2.tar"  # v2: "/" is 0755

# The first Debian mirror of apt's own configuration (deb822 or one-line format).
debian_mirror() {
    local uri
    uri="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep -v -- '-security' | head -n 1)"
    if [ -z "$uri" ]; then
        uri="$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list 2>/dev/null \
            | grep -v -- '-security' | head -n 1)"
    fi
    echo "$uri"
}

prepare_compose_test() {
    echo "== the shipped binary (scripts/release-binary.sh: static Swift runtime, lean link, stripped)"
    WATCHDOG_TEST_RELEASE_BINARY="$(scripts/release-binary.sh watchdog)"
    export WATCHDOG_TEST_RELEASE_BINARY
    echo "== it links FoundationEssentials only (scripts/check-foundation.sh)"
    scripts/check-foundation.sh "$(scripts/release-binary.sh --unstripped watchdog)"
    # ...and the check can fail: ICU itself, as the toolchain ships it, is refused.
    local icu
    icu="$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift_static/linux/lib_FoundationICU.a"
    if [ -e "$icu" ] && scripts/check-foundation.sh "$icu" >/dev/null 2>&1; then
        echo "scripts/test.sh: check-foundation accepted ICU ($icu)" >&2
        exit 1
    fi
    if [ ! -s "$base_image_cache" ]; then
        local mirror rootfs
        mirror="$(debian_mirror)"
        if [ -z "$mirror" ]; then
            echo "scripts/test.sh: no Debian mirror in apt's sources; cannot make the base image" >&2
            exit 1
        fi
        echo "== Debian base image with debootstrap (once; cached in $base_image_cache)"
        rootfs="$(mktemp -d /tmp/watchdog-rootfs.XXXXXX)"
        debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$mirror" >/dev/null
        # mktemp made the directory 0700 and the tar's "./" becomes the image's "/": as in
        # any Debian image it must be 0755, or the non-root user cannot reach its binary.
        chmod 0755 "$rootfs"
        rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
            "$rootfs"/usr/share/locale/* "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/*
        mkdir -p "$(dirname "$base_image_cache")"
        tar -C "$rootfs" -cf "$base_image_cache.partial" .
        mv "$base_image_cache.partial" "$base_image_cache"
        rm -rf "$rootfs"
    fi
    export WATCHDOG_TEST_BASE_IMAGE_TAR="$base_image_cache"
}

# This run's own folder. Docker tests start daemons of their own on private sockets
# (/tmp/wdd-*) and list each here by pid (RealDocker, WATCHDOG_TEST_RUN_DIR): should a
# test crash, exactly this run's daemons are stopped, and no other run's.
run_dir="$(mktemp -d /tmp/watchdog-test-run.XXXXXX)"
export WATCHDOG_TEST_RUN_DIR="$run_dir"

stop_pid() {
    local pid="$1"
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local listed pid root
    for listed in "$run_dir"/dockerd-*; do
        [ -e "$listed" ] || continue
        pid="${listed##*/dockerd-}"
        root="$(cat "$listed")"
        # The pid is this run's daemon only while its command line names its root.
        if [ -n "$root" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--data-root $root/data"; then
            stop_pid "$pid"
        fi
        case "$root" in
            /tmp/wdd-*)
                # A killed dockerd leaves its data root bind-mounted onto itself.
                if grep -qF " $root/data " /proc/self/mountinfo; then umount --lazy "$root/data" || true; fi
                rm -rf "$root"
                ;;
        esac
    done
    [ -z "$moto_pid" ] || stop_pid "$moto_pid"
    [ -z "$moto_log" ] || rm -f "$moto_log"
    rm -rf "$run_dir"
}
trap cleanup EXIT

# The lines that end a test: not the run's closing line, not an issue's (whose message
# may say "failed").
test_lines() {
    grep -v -e '^✔ Test run with ' -e '^✘ Test run with ' -e ' recorded an issue at ' "$1"
}

# One line for the whole run, then each failing test with where its first issue was.
summarize_tests() {
    local log="$1" status="$2" passed failed skipped
    # Swift Testing's lines: "✔ Test name() passed after …", "✘ Test name() failed after …",
    # "➜ Test name() skipped"; its closing "Test run with N tests …" line is not a test.
    # Counted where they are, not only at a line's start: a test's output printed while
    # another ends can share its line.
    # (grep finds nothing: status 1, which pipefail would make the script's.)
    passed="$(test_lines "$log" | grep -oP '✔ Test (?!run with ).*? passed after ' | wc -l || true)"
    failed="$(test_lines "$log" | grep -oP '✘ Test (?!run with ).*? failed after ' | wc -l || true)"
    skipped="$(grep -oP '➜ Test .*? skipped' "$log" | wc -l || true)"
    echo
    echo "== $passed passed, $failed failed, $skipped skipped"
    if [ "$failed" -gt 0 ]; then
        echo "failing tests:"
        test_lines "$log" | grep -oP '✘ Test (?!run with ).*? failed after ' | sed 's/^✘ Test \(.*\) failed after $/  \1/'
        echo "their issues (the first 40):"
        grep '^✘ Test .* recorded an issue' "$log" | head -n 40 | sed 's/^✘ Test /  /' | cut -c1-400
    elif [ "$status" -ne 0 ]; then
        echo "the test run ended with status $status without a failing test: see the log above (a crash?)"
    fi
}

# Tests that need a real peer fail (instead of skipping) when it is missing.
export WATCHDOG_TEST_REQUIRE_PEERS=1

echo "== swift format lint --strict"
swift format lint --strict --recursive Sources Tests Package.swift

echo "== no clock read below the tick (scripts/check-clock.sh)"
scripts/check-clock.sh

echo "== shipped targets import FoundationEssentials, not Foundation (scripts/check-foundation.sh)"
scripts/check-foundation.sh

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

echo "== the Dockerfile's builder has the Swift the package needs"
scripts/check-builder.sh
# ...and the check can fail: an older builder is refused.
sed 's/^ARG BUILDER_IMAGE=.*/ARG BUILDER_IMAGE=swift:5.10-bookworm/' Dockerfile >"$run_dir/Dockerfile.old"
if scripts/check-builder.sh "$run_dir/Dockerfile.old" >/dev/null 2>&1; then
    echo "scripts/test.sh: check-builder accepted swift:5.10 for this package" >&2
    exit 1
fi

prepare_compose_test

# Nothing left behind. The tests get a temp directory of their own (TMPDIR): what a
# test leaves there is found after the run, and the folder goes with this run's. The
# machine's temp directory is compared with what it held before, for what does not
# follow TMPDIR (the private dockerds under /tmp/wdd-*, the Docker stand-in's /tmp/wds-*).
machine_temp="${TMPDIR:-/tmp}"
tests_temp="$run_dir/tmp"
mkdir -p "$tests_temp"
temp_entries() {
    find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort
}
temp_entries "$machine_temp" >"$run_dir/temp-before"

echo "== tests"
start_moto
set +e
# At most 8 tests at a time: the in-process stand-ins answer on Swift's cooperative
# pool, and hundreds of tests starting at once on two cores kept a local Telegram
# stand-in from answering within a 5 s timeout.
SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}" \
    TMPDIR="$tests_temp" swift test --skip-build 2>&1 | tee "$run_dir/tests.log"
test_status="${PIPESTATUS[0]}"
set -e
summarize_tests "$run_dir/tests.log" "$test_status"

# What the tests left: in their own temp directory anything but what `swift test`
# itself makes there and never removes (`TemporaryDirectory.*` folders holding only
# `.keep-directory`, and its empty `_<path>.lock` files); in the machine's, any new entry
# but this run's folder and moto's log, unless it is gone two seconds later (another
# program's scratch file).
left_in_tests_temp() {
    local entry
    for entry in $(temp_entries "$tests_temp"); do
        case "$entry" in
            TemporaryDirectory.*)
                [ "$(find "$tests_temp/$entry" -mindepth 1 -printf '%P\n' 2>/dev/null)" = ".keep-directory" ] && continue
                ;;
            _*.lock)
                [ -f "$tests_temp/$entry" ] && [ ! -s "$tests_temp/$entry" ] && continue
                ;;
        esac
        echo "$entry"
    done
}
left_in_machine_temp() {
    temp_entries "$machine_temp" | comm -13 "$run_dir/temp-before" - \
        | grep -v -x -F -e "$(basename "$run_dir")" -e "$(basename "$moto_log")" || true
}
left_in_machine_temp >"$run_dir/temp-left"
if [ -s "$run_dir/temp-left" ]; then
    sleep 2
    left_in_machine_temp | comm -12 "$run_dir/temp-left" - >"$run_dir/temp-still"
    mv "$run_dir/temp-still" "$run_dir/temp-left"
fi
left_in_tests_temp | sed 's/^/(the tests'"'"' TMPDIR) /' >>"$run_dir/temp-left"
if [ -s "$run_dir/temp-left" ]; then
    echo "== the tests left $(wc -l <"$run_dir/temp-left") entries in the temp directory:"
    sed 's/^/  /' "$run_dir/temp-left" | head -n 40
    [ "$test_status" -ne 0 ] || test_status=1
else
    echo "== the tests left nothing in the temp directory"
fi
exit "$test_status"
