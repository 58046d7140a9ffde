extension ConfigVariable {
    // MARK: core (SPEC §2.1)

    static let envFile = ConfigVariable(
        "WATCHDOG_ENV_FILE", .text, default: "", documented: ".env in the working directory",
        "file of KEY=VALUE lines read at start; real environment variables win")
    static let interval = ConfigVariable(
        "WATCHDOG_INTERVAL", .duration(minimum: .seconds(1)), default: "30s",
        "tick interval; the first tick runs at once")
    static let collectTimeout = ConfigVariable(
        "WATCHDOG_COLLECT_TIMEOUT", .duration(minimum: .milliseconds(100)), default: "10s",
        "hard limit for one collector in one tick")
    static let httpTimeout = ConfigVariable(
        "WATCHDOG_HTTP_TIMEOUT", .duration(minimum: .milliseconds(100)), default: "5s",
        "limit for one outbound HTTP request, its whole answer included, or TCP connect; a refused connection or a failed name lookup fails at once"
    )
    static let caFile = ConfigVariable(
        "WATCHDOG_CA_FILE", .text, default: "",
        "PEM file of certificate authorities added to the system's for every outbound TLS connection (HTTPS and SMTP): an internal CA; read at start"
    )
    static let cooldown = ConfigVariable(
        "WATCHDOG_COOLDOWN", .duration(minimum: .zero), default: "30m",
        "repeat interval for a still-firing alert; 0 = never repeat")
    static let instance = ConfigVariable(
        "WATCHDOG_INSTANCE", .text, default: nil,
        documented: "host name; in a container, the compose project/service or the Docker host's name",
        "label shown in every message (which host or stack)")
    static let stateFile = ConfigVariable(
        "WATCHDOG_STATE_FILE", .text, default: "./watchdog-state.json", inContainer: "/var/lib/watchdog/state.json",
        "persisted alert state and outbox; empty = in memory only")
    static let listen = ConfigVariable(
        "WATCHDOG_LISTEN", .listenAddress, default: "127.0.0.1:9099", inContainer: "0.0.0.0:9099",
        "address of the HTTP endpoint; off disables it")
    static let language = ConfigVariable(
        "WATCHDOG_LANG", .choice(["en", "ru"]), default: "en", "message language")
    static let logLevel = ConfigVariable(
        "WATCHDOG_LOG_LEVEL",
        .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        default: "info", "lowest log level written to stderr")
    static let logFormat = ConfigVariable(
        "WATCHDOG_LOG_FORMAT", .choice(["text", "json"]), default: "text",
        "log line format: text, or one JSON object per line")
    static let collectorFailedAfter = ConfigVariable(
        "WATCHDOG_COLLECTOR_FAILED_AFTER", .count(1...1_000), default: "3",
        "consecutive failed ticks of one collector before collector_failed fires")
    static let digestAfter = ConfigVariable(
        "WATCHDOG_DIGEST_AFTER", .count(1...1_000), default: "5",
        "more notifications than this for one channel in one tick are sent as one digest")
    static let mute = ConfigVariable(
        "WATCHDOG_MUTE", .signalKeys, default: "",
        "standing silences: keys, families or family:glob*, e.g. container_down:db,proc_blocking,container_down:web-*")
    static let maintenance = ConfigVariable(
        "WATCHDOG_MAINTENANCE", .text, default: "",
        "recurring silences: ;-separated DAYS HH:MM-HH:MM [ZONE] MATCHER[,MATCHER...], e.g. sat,sun 02:00-04:00 Europe/Berlin container_down:*,dependency_down (days mon…sun, daily, ranges mon-fri; a window may cross midnight; zone: an IANA name from the system's zoneinfo, default UTC)"
    )
    static let flap = ConfigVariable(
        "WATCHDOG_FLAP", .text, default: "6/30m",
        "flapping: this many fires and resolves of one key within the window hold its messages until it is stable; off disables it"
    )
    static let apiToken = ConfigVariable(
        "WATCHDOG_API_TOKEN", .text, default: "", secret: true,
        "bearer token the silence routes of /api/v2 need to change silences (amtool silence add/expire); without it they answer 403"
    )
    static let heartbeatURL = ConfigVariable(
        "WATCHDOG_HEARTBEAT_URL", .url, default: "", secret: true,
        "outbound dead-man's switch: GET after every completed tick")

    /// The core variables, in the order docs/configuration.md lists them.
    static let coreVariables: [ConfigVariable] = [
        .interval, .collectTimeout, .httpTimeout, .caFile, .cooldown, .instance, .stateFile, .listen,
        .language, .logLevel, .logFormat, .collectorFailedAfter, .digestAfter, .mute, .maintenance, .flap, .apiToken,
        .heartbeatURL, .envFile,
    ]

    /// Every variable the watchdog reads, in the order docs/configuration.md lists them: the core's,
    /// every channel's (`ChannelCatalog`), then every feature's (`FeatureCatalog`), each
    /// list in `<Name>+Variables.swift` in its folder.
    public static let all: [ConfigVariable] =
        coreVariables + ChannelCatalog.variables + onCallVariables + causeVariables + historyVariables
        + FeatureCatalog.variables

    /// Names that are valid in the environment: every variable, plus `X_FILE` for every
    /// secret `X` (the Docker secrets convention). A family's members
    /// (`WATCHDOG_NOTIFY_<NAME>`) are known by `isKnown`.
    public static let knownNames: Set<String> = Set(
        all.filter { $0.familyPrefix == nil }.map(\.name)
            + all.filter { $0.isSecret && $0.familyPrefix == nil }.map { $0.name + "_FILE" })

    /// The families of variables named by the operator.
    static let families: [ConfigVariable] = all.filter { $0.familyPrefix != nil }

    /// Whether the watchdog reads `name`: a variable, a secret's `_FILE`, or a member of
    /// a family (or its `_FILE`).
    public static func isKnown(_ name: String) -> Bool {
        if knownNames.contains(name) { return true }
        return families.contains { family in
            family.names(name)
                || (family.isSecret && name.hasSuffix("_FILE") && family.names(String(name.dropLast("_FILE".count))))
        }
    }
}
