# watchdog: the release binary and only what it reads at run time, on an empty base.
#
#   docker build -t watchdog .
#
# The build stage builds the binary (scripts/release-binary.sh: static Swift runtime,
# -Osize, non-PIE, stripped) and gathers the runtime tree (scripts/runtime-root.sh: the
# C libraries it links, CA certificates, zoneinfo, passwd and group); the runtime stage
# is that tree on `scratch`: no shell and no package manager, about 40 MB in all
# (BENCHMARKS.md). The builder image is a build argument, so a registry mirror or a
# locally made image can stand in; one that already holds /out/watchdog is used as it
# is: that is how the test script builds this file on a machine that cannot pull a
# Swift image (it builds the binary on the host, where the toolchain is).
# The builder's Swift must be at least the highest swift-tools-version of the package and
# its dependencies (6.2 today); scripts/check-builder.sh, run by the test script, checks it.
ARG BUILDER_IMAGE=swift:6.3-bookworm

FROM ${BUILDER_IMAGE} AS build
# The group that owns /var/run/docker.sock on the host; compose adds it at run time too
# (`group_add`), so the image does not have to match every host.
ARG DOCKER_GID=999
ARG WATCHDOG_UID=10001
WORKDIR /src
COPY . .
RUN if [ ! -x /out/watchdog ]; then \
        install -D -m 0755 "$(scripts/release-binary.sh watchdog)" /out/watchdog; \
    fi \
    && scripts/runtime-root.sh /out/watchdog /out/root "${DOCKER_GID}" "${WATCHDOG_UID}"

FROM scratch AS runtime
ARG WATCHDOG_UID=10001
COPY --from=build /out/root/ /
# The state directory belongs to the watchdog user; a new volume mounted there starts
# as a copy of it, owner included.
COPY --from=build --chown=${WATCHDOG_UID}:${WATCHDOG_UID} /out/root/var/lib/watchdog /var/lib/watchdog

# PATH: an empty base sets none, and `docker exec <container> watchdog …` needs it.
ENV PATH=/usr/local/bin \
    WATCHDOG_STATE_FILE=/var/lib/watchdog/state.json \
    WATCHDOG_LISTEN=0.0.0.0:9099
VOLUME /var/lib/watchdog
EXPOSE 9099
USER watchdog
WORKDIR /var/lib/watchdog
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/watchdog", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/watchdog"]
CMD ["run"]
