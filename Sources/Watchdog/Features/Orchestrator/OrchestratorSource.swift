import Collectors
import FoundationEssentials
import Notify

/// `orchestrator_down`, `orchestrator_stale`, `agent_hung`, `job_failed` and
/// `queue_backlog` from the orchestrator's JSON envelope (SPEC §9.1, §9.2).
public struct OrchestratorSource: Source {
    public let name = "orchestrator"
    public let ownership = KeyOwnership.families([
        .orchestratorDown, .orchestratorStale, .agentHung, .jobFailed, .queueBacklog, .rule,
    ])
    let collector: OrchestratorCollector
    let settings: Settings
    let texts: Texts

    public struct Settings: Sendable, Equatable {
        public var downAfter: Int
        public var staleAfter: Duration
        public var hungAfter: Duration
        /// nil: no `queue_backlog`.
        public var backlog: Int?
        public var rules: [Rule]

        public init(downAfter: Int, staleAfter: Duration, hungAfter: Duration, backlog: Int?, rules: [Rule] = []) {
            self.downAfter = downAfter
            self.staleAfter = staleAfter
            self.hungAfter = hungAfter
            self.backlog = backlog
            self.rules = rules
        }
    }

    /// Kept in the state file, so a restart neither re-announces old failures nor
    /// forgets how long an agent has been frozen.
    public struct Memory: Sendable, Codable, Equatable {
        public var failedFetches = 0
        /// `queue.counts.failed` at the last successful fetch; nil before the first.
        public var failedBaseline: Int?
        /// Per run: the CPU ticks last seen, and when (watchdog clock) they were first seen.
        public var agents: [String: AgentSample] = [:]
        /// Per rule series: since when its condition holds (for `for`).
        public var ruleSince: [String: Date] = [:]

        public struct AgentSample: Sendable, Codable, Equatable {
            public var cpuTicks: Int
            public var since: Date
        }
    }

    public init(url: String, timeout: Duration, settings: Settings, texts: Texts) {
        // A Prometheus text is kept only for the series the rules read; with no rule,
        // every series (they are shown by `once --json`).
        self.collector = OrchestratorCollector(
            url: url, timeout: timeout,
            metricNames: settings.rules.isEmpty ? nil : Set(settings.rules.map(\.metric)))
        self.settings = settings
        self.texts = texts
    }

    public func collect(now: Date) async throws -> OrchestratorReading {
        try await collector.collect()
    }

    public func evaluate(_ reading: OrchestratorReading, memory: Memory?, now: Date) -> SourceEvaluation<Memory> {
        var next = memory ?? Memory()
        let downKey = SignalKey(.orchestratorDown)
        switch reading {
        case .failed(let error):
            next.failedFetches += 1
            return SourceEvaluation(
                signals: [
                    Signal(
                        key: downKey, active: next.failedFetches >= settings.downAfter, severity: .critical,
                        title: texts.orchestratorDownTitle(),
                        detail: texts.orchestratorFailed(error, times: next.failedFetches))
                ],
                memory: next,
                // Nothing is known about the orchestrator's insides while it cannot be read.
                unknown: .families([.orchestratorStale, .agentHung, .queueBacklog, .rule]))

        case .metrics(let samples, let linesLeftOut):
            next.failedFetches = 0
            var signals = [
                Signal(
                    key: downKey, active: false, severity: .critical, title: texts.orchestratorDownTitle(),
                    detail: texts.orchestratorAnswered())
            ]
            var overLimit: [String] = []
            if linesLeftOut > 0 {
                overLimit.append(
                    "the rules' series of the metrics text are over \(OrchestratorCollector.bodyLimit) bytes;"
                        + " the first are read, the rest left out")
            }
            signals += Rule.evaluate(
                settings.rules, on: samples, activeSince: &next.ruleSince, now: now, texts: texts, overLimit: &overLimit
            )
            return SourceEvaluation(signals: signals, memory: next, overLimit: Self.joined(overLimit))

        case .envelope(let envelope):
            next.failedFetches = 0
            var signals = [
                Signal(
                    key: downKey, active: false, severity: .critical, title: texts.orchestratorDownTitle(),
                    detail: texts.orchestratorAnswered())
            ]
            let age = now.timeIntervalSince(envelope.generatedAt)
            signals.append(
                Signal(
                    key: SignalKey(.orchestratorStale), active: age > settings.staleAfter.seconds, severity: .warning,
                    title: texts.orchestratorStaleTitle(),
                    detail: texts.orchestratorGenerated(ago: DurationText.format(seconds: age))))
            var overLimit: [String] = []
            if envelope.agentsListed > envelope.agents.count {
                overLimit.append(
                    "the envelope lists \(envelope.agentsListed) agents; the first \(envelope.agents.count) are watched"
                )
            }
            if envelope.countsListed > OrchestratorEnvelope.maximumCounts {
                overLimit.append(
                    "the envelope lists \(envelope.countsListed) queue states; the first "
                        + "\(OrchestratorEnvelope.maximumCounts) are read")
            }
            signals += agentSignals(envelope.agents, memory: &next, now: now)
            if let failed = envelope.counts["failed"] {
                if let baseline = next.failedBaseline, failed > baseline {
                    // Both numbers come from outside: the difference of two extremes
                    // saturates instead of trapping.
                    let (delta, overflow) = failed.subtractingReportingOverflow(baseline)
                    signals.append(
                        Signal(
                            key: SignalKey(.jobFailed), active: true, severity: .warning, title: texts.jobFailedTitle(),
                            detail: texts.jobsFailed(delta: overflow ? .max : delta, total: failed)))
                }
                // A lower count (the orchestrator restarted) becomes the new baseline.
                next.failedBaseline = failed
            }
            if let threshold = settings.backlog {
                let queued = envelope.counts["queued"] ?? 0
                signals.append(
                    Signal(
                        key: SignalKey(.queueBacklog), active: queued >= threshold, severity: .warning,
                        title: texts.queueBacklogTitle(),
                        detail: texts.queueBacklog(queued: queued, threshold: threshold)))
            }
            // Rules may address the envelope's queue counts as `queue.counts.<state>`.
            let counts = envelope.counts.map {
                PrometheusSample(name: "queue.counts.\($0.key)", labels: [], value: Double($0.value))
            }
            signals += Rule.evaluate(
                settings.rules, on: counts, activeSince: &next.ruleSince, now: now, texts: texts, overLimit: &overLimit)
            return SourceEvaluation(signals: signals, memory: next, overLimit: Self.joined(overLimit))
        }
    }

    private static func joined(_ notes: [String]) -> String? {
        notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// `agent_hung` per run: CPU ticks unchanged for `hungAfter`, measured on the
    /// watchdog's clock from the tick that first saw the current value. Runs that are
    /// gone are forgotten (their keys resolve by synthesized recovery).
    func agentSignals(_ agents: [OrchestratorEnvelope.Agent], memory: inout Memory, now: Date) -> [Signal] {
        var seen: [String: Memory.AgentSample] = [:]
        var signals: [Signal] = []
        for agent in agents {
            var sample = memory.agents[agent.runID] ?? Memory.AgentSample(cpuTicks: agent.cpuTicks, since: now)
            if sample.cpuTicks != agent.cpuTicks { sample = Memory.AgentSample(cpuTicks: agent.cpuTicks, since: now) }
            seen[agent.runID] = sample
            let frozen = now.timeIntervalSince(sample.since)
            signals.append(
                Signal(
                    key: SignalKey(.agentHung, agent.runID), active: frozen >= settings.hungAfter.seconds,
                    severity: .critical, title: texts.agentHungTitle(agent.runID),
                    detail: texts.agentCPU(
                        unchangedFor: DurationText.format(seconds: frozen), ticks: agent.cpuTicks, job: agent.jobID,
                        pid: agent.pid)))
        }
        memory.agents = seen
        return signals
    }
}
