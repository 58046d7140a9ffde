/// The orchestrator's metrics (SPEC §9): the JSON envelope's built-in signals, and the
/// rules of `WATCHDOG_RULES` (`Features/Rules`) on either body. Off without a URL.
public enum OrchestratorFeature: SourceFeature {
    public struct Settings: Sendable {
        /// nil: the source is off. Secret: its query may carry a token.
        public var url: Secret?
        public var source: OrchestratorSource.Settings
    }

    public static let variables = ConfigVariable.orchestratorVariables + ConfigVariable.rulesVariables
    public static let families: [SignalFamily] = [
        .orchestratorDown, .orchestratorStale, .agentHung, .jobFailed, .queueBacklog, .rule,
    ]

    public static func read(_ reader: inout ConfigReader) -> Settings {
        Settings(
            url: reader.optionalURL(.orchestratorURL).map(Secret.init),
            source: OrchestratorSource.Settings(
                downAfter: reader.count(.orchestratorDownAfter), staleAfter: reader.duration(.orchestratorStaleAfter),
                hungAfter: reader.duration(.agentHungAfter), backlog: reader.optionalCount(.queueBacklog),
                rules: Rule.read(&reader)))
    }

    public static func sources(_ settings: Settings, context: SourceContext) -> [any Source] {
        guard let url = settings.url else { return [] }
        return [
            OrchestratorSource(
                url: url.value, timeout: context.configuration.httpTimeout, settings: settings.source,
                texts: context.texts)
        ]
    }
}

extension SignalFamily {
    public static let orchestratorDown = SignalFamily(
        "orchestrator_down", entity: "—", activeWhen: "the metrics fetch failed `ORCH_DOWN_AFTER` times in a row",
        severity: "critical")
    public static let orchestratorStale = SignalFamily(
        "orchestrator_stale", entity: "—", activeWhen: "envelope `generated_at` older than `ORCH_STALE_AFTER`",
        severity: "warning")
    public static let agentHung = SignalFamily(
        "agent_hung", entity: "run_id", activeWhen: "the agent's `cpu_ticks` has not advanced for `AGENT_HUNG_AFTER`",
        severity: "critical")
    public static let jobFailed = SignalFamily(
        "job_failed", entity: "—", activeWhen: "`queue.counts.failed` grew (edge: one message per increase)",
        severity: "warning", isEdge: true)
    public static let queueBacklog = SignalFamily(
        "queue_backlog", entity: "—", activeWhen: "queued jobs ≥ `QUEUE_BACKLOG`", severity: "warning")
    public static let rule = SignalFamily(
        "rule", entity: "rule name + labels", activeWhen: "a `WATCHDOG_RULES` expression holds", severity: "per rule")
}

extension Configuration {
    public var orchestratorURL: Secret? { features[OrchestratorFeature.self].url }
    public var orchestrator: OrchestratorSource.Settings { features[OrchestratorFeature.self].source }
}
