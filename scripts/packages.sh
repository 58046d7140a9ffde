# Debian packages for the scripts (sourced by test.sh, release-binary.sh, bench.sh):
# `ensure_packages NAME...` installs those not installed yet, and first waits, at most
# five minutes, for another apt or dpkg (unattended upgrades, a second terminal) that
# holds the package locks, saying who it is, instead of failing at once. Its messages go
# to stderr: release-binary.sh's stdout is the path it prints.

# The pid of a process holding one of apt's or dpkg's locks (a POSIX lock, listed in
# /proc/locks by the lock file's inode), or nothing.
package_lock_holder() {
    local file inode
    for file in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock; do
        [ -e "$file" ] || continue
        inode="$(stat -c %i "$file")"
        awk -v inode="$inode" '$2 != "->" { n = split($6, id, ":"); if (id[n] == inode) { print $5; exit } }' /proc/locks
    done | head -n 1
}

# Waits while another process holds the package locks. (apt-get's own
# DPkg::Lock::Timeout covers dpkg's lock only, not the package lists' lock that
# `apt-get update` takes.)
wait_for_package_locks() {
    local holder waited=0
    while holder="$(package_lock_holder)" && [ -n "$holder" ]; do
        if [ "$waited" -eq 0 ]; then
            echo >&2 "== another package manager ($(cat "/proc/$holder/comm" 2>/dev/null || echo "?"), pid $holder) holds the package lock; waiting for it (at most 5 min)"
        fi
        if [ "$waited" -ge 300 ]; then
            echo "the package lock is still held by pid $holder after 5 minutes" >&2
            return 1
        fi
        sleep 2
        waited=$((waited + 2))
    done
    [ "$waited" -eq 0 ] || echo >&2 "== the package lock is free after ${waited} s"
}

# Installs the Debian packages that are not installed yet.
ensure_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo >&2 "== installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    # ...and a lock taken again between the wait and apt: apt waits for dpkg's itself.
    local wait=(-o DPkg::Lock::Timeout=300)
    wait_for_package_locks
    $sudo apt-get "${wait[@]}" update -qq >/dev/null
    wait_for_package_locks
    DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

