# watchdog: a release binary with the Swift runtime linked in, on a small Debian.
#
#   docker build -t watchdog .
#
# Both base images are build arguments, so a registry mirror or a locally made image can
# stand in. A builder image that already holds /out/watchdog is used as it is: that is
# how the test script builds this file's runtime stage on a machine that cannot pull a
# Swift image (it builds the binary on the host, where the toolchain is).
# The builder's Swift must be at least the highest swift-tools-version of the package and
# its dependencies (6.2 today); scripts/check-builder.sh, run by the test script, checks it.
ARG BUILDER_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILDER_IMAGE} AS build
WORKDIR /src
COPY . .
# scripts/release-binary.sh is the one place the shipped link is chosen (static Swift
# runtime, -Osize, non-PIE, stripped): the tests and the benchmarks use it too.
RUN if [ ! -x /out/watchdog ]; then \
        install -D -m 0755 "$(scripts/release-binary.sh watchdog)" /out/watchdog; \
    fi

FROM ${RUNTIME_IMAGE} AS runtime
# The group that owns /var/run/docker.sock on the host; compose adds it at run time too
# (`group_add`), so the image does not have to match every host.
ARG DOCKER_GID=999
ARG WATCHDOG_UID=10001
# CA certificates for Telegram, Slack and https dependencies, and tzdata for the zones of
# WATCHDOG_MAINTENANCE (read from /usr/share/zoneinfo); installed only when the base
# image lacks them (a pre-provisioned base needs no network here).
RUN missing=""; \
    [ -s /etc/ssl/certs/ca-certificates.crt ] || missing="$missing ca-certificates"; \
    [ -e /usr/share/zoneinfo/Europe/Berlin ] || missing="$missing tzdata"; \
    if [ -n "$missing" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends $missing \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && (getent group "${DOCKER_GID}" >/dev/null || groupadd --gid "${DOCKER_GID}" docker-socket) \
    && useradd --system --uid "${WATCHDOG_UID}" --no-create-home --home-dir /var/lib/watchdog \
        --shell /usr/sbin/nologin --groups "${DOCKER_GID}" watchdog \
    && install -d -o watchdog -g watchdog -m 0750 /var/lib/watchdog
COPY --from=build /out/watchdog /usr/local/bin/watchdog

ENV WATCHDOG_STATE_FILE=/var/lib/watchdog/state.json \
    WATCHDOG_LISTEN=0.0.0.0:9099
VOLUME /var/lib/watchdog
EXPOSE 9099
USER watchdog
WORKDIR /var/lib/watchdog
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/watchdog", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/watchdog"]
CMD ["run"]
