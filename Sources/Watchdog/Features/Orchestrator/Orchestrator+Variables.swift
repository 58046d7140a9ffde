/// The variables of the orchestrator (SPEC §2.3, §9).
extension ConfigVariable {
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

    /// In the order docs/configuration.md lists them.
    static let orchestratorVariables: [ConfigVariable] = [
        .orchestratorURL, .orchestratorDownAfter, .orchestratorStaleAfter, .agentHungAfter, .queueBacklog,
    ]
}
