#!/bin/sh
# Makes the root file system of the runtime image (the Dockerfile's build stage runs it;
# the runtime stage is `FROM scratch` plus this tree): the watchdog binary and only what
# it reads at run time, taken from the stage that built or holds the binary, so the C
# libraries are the ones it was linked against.
#
#   scripts/runtime-root.sh BINARY ROOT [DOCKER_GID] [WATCHDOG_UID]
#
#   /usr/local/bin/watchdog        the binary
#   the shared libraries `ldd` lists (glibc, libstdc++, libgcc_s, zlib) and the loader
#   /etc/ssl/certs/ca-certificates.crt   for Telegram, Slack and https dependencies
#   /usr/share/zoneinfo            the zones of WATCHDOG_MAINTENANCE
#   /etc/passwd, /etc/group        the watchdog user, and the group of the Docker socket
#   /etc/nsswitch.conf             host names from /etc/hosts, then DNS
#   /tmp, /var/lib/watchdog        (the state directory is given to the user by the
#                                  Dockerfile's COPY --chown)
# No shell, no package manager: nothing an intruder could use, nothing to patch but
# the binary and the C library. The image size is in BENCHMARKS.md.
set -eu
binary=$1
root=$2
docker_gid=${3:-999}
watchdog_uid=${4:-10001}

missing=""
[ -s /etc/ssl/certs/ca-certificates.crt ] || missing="$missing ca-certificates"
[ -e /usr/share/zoneinfo/Europe/Berlin ] || missing="$missing tzdata"
if [ -n "$missing" ]; then
    if command -v apt-get >/dev/null 2>&1; then
        apt-get update && apt-get install -y --no-install-recommends $missing && rm -rf /var/lib/apt/lists/*
    else
        echo "runtime-root.sh: the build stage lacks$missing and has no apt-get to install it" >&2
        exit 1
    fi
fi

mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/usr/share" "$root/tmp" "$root/var/lib/watchdog"
chmod 1777 "$root/tmp"
install -m 0755 "$binary" "$root/usr/local/bin/watchdog"

# Every library at the path the loader looks for it (symlinks resolved), and the loader.
libraries=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
if [ -z "$libraries" ]; then
    echo "runtime-root.sh: ldd lists no libraries for $binary (not a dynamically linked binary?)" >&2
    exit 1
fi
# glibc resolves host names and users through these; from 2.34 on they are stubs of
# libc, kept so that an older or newer glibc finds what it expects.
library_directory=$(dirname "$(echo "$libraries" | grep '/libc\.so\.' | head -n 1)")
for nss in libnss_files.so.2 libnss_dns.so.2; do
    [ -e "$library_directory/$nss" ] && libraries="$libraries
$library_directory/$nss"
done
for library in $libraries; do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
done

cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cp -a /usr/share/zoneinfo "$root/usr/share/zoneinfo"

cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/usr/sbin/nologin
watchdog:x:$watchdog_uid:$watchdog_uid:watchdog:/var/lib/watchdog:/usr/sbin/nologin
EOF
{
    echo "root:x:0:"
    echo "watchdog:x:$watchdog_uid:"
    # The socket's group, unless it is one of those (then membership is already there).
    [ "$docker_gid" = "$watchdog_uid" ] || [ "$docker_gid" = 0 ] || echo "docker-socket:x:$docker_gid:watchdog"
} >"$root/etc/group"
cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
hosts:  files dns
EOF
