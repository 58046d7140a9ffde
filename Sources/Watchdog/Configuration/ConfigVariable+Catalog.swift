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
        "signal keys or families whose notifications are dropped, e.g. container_down:db,proc_blocking")
    static let heartbeatURL = ConfigVariable(
        "WATCHDOG_HEARTBEAT_URL", .url, default: "", secret: true,
        "outbound dead-man's switch: GET after every completed tick")

    // MARK: channels (SPEC §2.2)

    static let telegramToken = ConfigVariable(
        "WATCHDOG_TELEGRAM_BOT_TOKEN", .text, default: "", secret: true,
        "Telegram bot token; with WATCHDOG_TELEGRAM_CHAT_ID enables the Telegram channel")
    static let telegramChatID = ConfigVariable(
        "WATCHDOG_TELEGRAM_CHAT_ID", .text, default: "",
        "chat to send to: a numeric id (groups are negative) or @channelname")
    static let telegramThreadID = ConfigVariable(
        "WATCHDOG_TELEGRAM_THREAD_ID", .count(1...Int(Int32.max)), default: "",
        "forum topic (message_thread_id) within the chat")
    static let telegramSilentResolved = ConfigVariable(
        "WATCHDOG_TELEGRAM_SILENT_RESOLVED", .flag, default: "true",
        "send resolved messages without a notification sound")
    static let telegramAPIURL = ConfigVariable(
        "WATCHDOG_TELEGRAM_API_URL", .url, default: "https://api.telegram.org",
        "Bot API base URL (a proxy or a local Bot API server)")
    static let slackWebhookURL = ConfigVariable(
        "WATCHDOG_SLACK_WEBHOOK_URL", .url, default: "", secret: true, "Slack incoming webhook URL")
    static let webhookURL = ConfigVariable(
        "WATCHDOG_WEBHOOK_URL", .url, default: "", secret: true,
        "generic JSON webhook; the body is the Alertmanager webhook payload, version 4")
    static let alertmanagerURL = ConfigVariable(
        "WATCHDOG_ALERTMANAGER_URL", .url, default: "",
        "Alertmanager to push alerts to (POST /api/v2/alerts), e.g. http://alertmanager:9093")
    static let console = ConfigVariable(
        "WATCHDOG_CONSOLE", .choice(["auto", "true", "false"]), default: "auto",
        "console channel: auto = only when no other channel is configured; true = always too")

    // MARK: host (SPEC §2.3)

    static let memoryPercent = ConfigVariable(
        "WATCHDOG_MEM_PCT", .percent, default: "90",
        "host_memory fires when used memory (MemTotal - MemAvailable) reaches this percentage")
    static let procRoot = ConfigVariable(
        "WATCHDOG_PROC_ROOT", .text, default: "/proc",
        "where meminfo and process entries are read")
    static let diskPaths = ConfigVariable(
        "WATCHDOG_DISK_PATHS", .list, default: "/", "filesystems checked by disk_full")
    static let diskPercent = ConfigVariable(
        "WATCHDOG_DISK_PCT", .percent, default: "90",
        "disk_full fires when a filesystem's used share reaches this percentage")

    // MARK: orchestrator (SPEC §2.3, §9)

    static let orchestratorURL = ConfigVariable(
        "WATCHDOG_ORCH_METRICS_URL", .url, default: "", secret: true,
        "the orchestrator's metrics URL (JSON envelope, schema_version 1), fetched every tick")
    static let orchestratorDownAfter = ConfigVariable(
        "WATCHDOG_ORCH_DOWN_AFTER", .count(1...1_000), default: "3",
        "failed fetches in a row before orchestrator_down fires")
    static let orchestratorStaleAfter = ConfigVariable(
        "WATCHDOG_ORCH_STALE_AFTER", .duration(minimum: .seconds(1)), default: "5m",
        "orchestrator_stale fires when the envelope's generated_at is older than this")
    static let agentHungAfter = ConfigVariable(
        "WATCHDOG_AGENT_HUNG_AFTER", .duration(minimum: .seconds(1)), default: "15m",
        "agent_hung fires when an agent's cpu_ticks have not moved for this long")
    static let queueBacklog = ConfigVariable(
        "WATCHDOG_QUEUE_BACKLOG", .count(1...Int(Int32.max)), default: "",
        "queue_backlog fires when at least this many jobs are queued; empty = off")

    static let rules = ConfigVariable(
        "WATCHDOG_RULES", .text, default: "",
        "alert rules on the orchestrator's metrics: name: metric{label=\"v\"} OP number [for DURATION] [severity]; ...")

    // MARK: containers (SPEC §2.3, §10.2)

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

    // MARK: dependencies (SPEC §2.3, §10.3)

    static let dependencies = ConfigVariable(
        "WATCHDOG_DEPS", .text, default: "", secret: true,
        "dependencies to probe: name=url,... with http://, https:// (#status=NNN to expect a status) or tcp://host:port"
    )
    static let dependencyDownAfter = ConfigVariable(
        "WATCHDOG_DEP_DOWN_AFTER", .count(1...1_000), default: "2",
        "failed probes in a row before dependency_down fires")
    static let dependencySlow = ConfigVariable(
        "WATCHDOG_DEP_SLOW", .duration(minimum: .milliseconds(1)), default: "",
        "dependency_slow fires when a probe takes longer than this; empty = off")
    static let certificateWarning = ConfigVariable(
        "WATCHDOG_CERT_WARN", .duration(minimum: .zero), default: "14d",
        "certificate_expiry fires when an https dependency's certificate expires within this")

    // MARK: long-lived processes (SPEC §2.3, §10.4)

    static let processEnabled = ConfigVariable(
        "WATCHDOG_PROC_ENABLED", .flag, default: "false",
        "scan WATCHDOG_PROC_ROOT for long-lived matching processes (in compose: needs pid: host)")
    static let processPatterns = ConfigVariable(
        "WATCHDOG_PROC_PATTERNS", .list, default: "pytest",
        "command-line patterns: plain substrings, or re:<regular expression>")
    static let processAgeMinutes = ConfigVariable(
        "WATCHDOG_PROC_AGE_MIN", .duration(minimum: .seconds(1)), default: "60",
        "proc_blocking fires for a matching process older than this (bare number: minutes)")
    static let processCooldownSeconds = ConfigVariable(
        "WATCHDOG_PROC_COOLDOWN_S", .duration(minimum: .zero), default: "1800",
        "repeat interval of a still-running proc_blocking process (bare number: seconds); 0 = never repeat")

    // MARK: EC2 (SPEC §2.3, §10.5)

    static let ec2InstanceIDs = ConfigVariable(
        "WATCHDOG_EC2_INSTANCE_IDS", .list, default: "",
        "EC2 instances to watch: i-... ids (needs AWS_REGION and AWS credentials)")
    static let ec2Filters = ConfigVariable(
        "WATCHDOG_EC2_FILTERS", .text, default: "",
        "watch the instances DescribeInstances finds with these filters: name=value,value;... e.g. tag:Role=worker")
    static let ec2Interval = ConfigVariable(
        "WATCHDOG_EC2_INTERVAL", .duration(minimum: .seconds(1)), default: "5m",
        "how often the EC2 API is asked; between runs the last EC2 signals stand")
    static let ec2TransientGrace = ConfigVariable(
        "WATCHDOG_EC2_TRANSIENT_GRACE", .duration(minimum: .zero), default: "10m",
        "pending, stopping and shutting-down fire ec2_state only after lasting this long")
    static let ec2CPUPercent = ConfigVariable(
        "WATCHDOG_EC2_CPU_PCT", .percent, default: "",
        "ec2_cpu_high fires when CloudWatch's 5-minute CPU average reaches this; empty = off")

    // MARK: heartbeats (SPEC §2.3, §7, §10.6)

    static let heartbeats = ConfigVariable(
        "WATCHDOG_HEARTBEATS", .text, default: "",
        "push heartbeats: name=window,... e.g. nightly-backup=26h; jobs ping /ping/<name> within each window")
    static let pingToken = ConfigVariable(
        "WATCHDOG_PING_TOKEN", .text, default: "", secret: true,
        "token /ping needs (Authorization: Bearer or ?token=); required when WATCHDOG_LISTEN is not loopback")

    /// Every variable the watchdog reads, in the order the README lists them.
    public static let all: [ConfigVariable] = [
        .interval, .collectTimeout, .httpTimeout, .cooldown, .instance, .stateFile, .listen,
        .language, .logLevel, .logFormat, .collectorFailedAfter, .digestAfter, .mute,
        .heartbeatURL, .envFile,
        .telegramToken, .telegramChatID, .telegramThreadID, .telegramSilentResolved, .telegramAPIURL,
        .slackWebhookURL, .webhookURL, .alertmanagerURL, .console,
        .memoryPercent, .procRoot, .diskPaths, .diskPercent,
        .orchestratorURL, .orchestratorDownAfter, .orchestratorStaleAfter, .agentHungAfter, .queueBacklog, .rules,
        .dockerSocket, .containers, .composeProject, .containerGrace, .restartLoop,
        .dependencies, .dependencyDownAfter, .dependencySlow, .certificateWarning,
        .processEnabled, .processPatterns, .processAgeMinutes, .processCooldownSeconds,
        .ec2InstanceIDs, .ec2Filters, .ec2Interval, .ec2TransientGrace, .ec2CPUPercent,
        .heartbeats, .pingToken,
    ]

    /// Names that are valid in the environment: every variable, plus `X_FILE` for every
    /// secret `X` (the Docker secrets convention).
    public static let knownNames: Set<String> = Set(
        all.map(\.name) + all.filter(\.isSecret).map { $0.name + "_FILE" })
}
