/// The variables of containers (SPEC §2.3, §10.2).
extension ConfigVariable {
    static let dockerSocket = ConfigVariable(
        "WATCHDOG_DOCKER_SOCK", .text, default: "/var/run/docker.sock",
        "Docker Engine API unix socket (mounted read-only; only GET requests are made)")
    static let containers = ConfigVariable(
        "WATCHDOG_CONTAINERS", .list, default: "", "container names to watch")
    static let composeProject = ConfigVariable(
        "WATCHDOG_COMPOSE_PROJECT", .text, default: "auto",
        "also watch every container of this compose project; auto = the watchdog's own project when it runs in one; empty = none"
    )
    static let containerGrace = ConfigVariable(
        "WATCHDOG_CONTAINER_GRACE", .duration(minimum: .zero), default: "2m",
        "how long a container may be restarting, or its health starting, before it counts as down or unhealthy")
    static let restartLoop = ConfigVariable(
        "WATCHDOG_RESTART_LOOP", .text, default: "3/10m",
        "container_restarts fires when the restart count grows by this many within the window: COUNT or COUNT/WINDOW")

    static let containerLogLines = ConfigVariable(
        "WATCHDOG_CONTAINER_LOG_LINES", .count(0...200), default: "0",
        "the alert of a stopped container carries its last this many log lines (cut to 1,000 characters, secrets redacted); 0 = none"
    )

    /// In the order docs/configuration.md lists them.
    static let containersVariables: [ConfigVariable] = [
        .dockerSocket, .containers, .composeProject, .containerGrace, .restartLoop, .containerLogLines,
    ]
}
