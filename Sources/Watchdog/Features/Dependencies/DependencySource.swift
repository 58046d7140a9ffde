import Collectors
import FoundationEssentials
import Notify

/// `dependency_down`, `dependency_slow` and `certificate_expiry` from probing
/// `WATCHDOG_DEPS` (SPEC §3, §10.3).
public struct DependencySource: Source {
    public let name = "dependencies"
    public let ownership: KeyOwnership
    let collector: DependencyCollector
    let downAfter: Int
    let slowAfter: Duration?
    let certificateWarning: Duration
    let texts: Texts

    /// Consecutive failed probes per dependency.
    public struct Memory: Sendable, Codable, Equatable {
        public var failures: [String: Int] = [:]
    }

    public init(
        targets: [DependencyTarget], timeout: Duration, downAfter: Int, slowAfter: Duration?,
        certificateWarning: Duration, texts: Texts
    ) {
        self.collector = DependencyCollector(targets: targets, timeout: timeout)
        self.ownership = .families([.dependencyDown, .dependencySlow, .certificateExpiry])
        self.downAfter = downAfter
        self.slowAfter = slowAfter
        self.certificateWarning = certificateWarning
        self.texts = texts
    }

    public func collect(now: Date) async throws -> [ProbeResult] {
        try await collector.collect()
    }

    public func evaluate(_ results: [ProbeResult], memory: Memory?, now: Date) -> SourceEvaluation<Memory> {
        var next = Memory()
        var signals: [Signal] = []
        var unknown: Set<SignalKey> = []
        for result in results {
            let failures = result.ok ? 0 : (memory?.failures[result.name] ?? 0) + 1
            next.failures[result.name] = failures
            let latency = Texts.milliseconds(result.latencyMs)
            signals.append(
                Signal(
                    key: SignalKey(.dependencyDown, result.name), active: failures >= downAfter, severity: .critical,
                    title: texts.dependencyDownTitle(result.name),
                    detail: result.error.map { texts.dependencyFailed(url: result.url, error: $0, times: failures) }
                        ?? texts.dependencyAnswered(url: result.url, latency: latency)))

            let slowKey = SignalKey(.dependencySlow, result.name)
            if let slowAfter {
                if result.ok {
                    signals.append(
                        Signal(
                            key: slowKey, active: result.latencyMs > slowAfter.seconds * 1000, severity: .warning,
                            title: texts.dependencySlowTitle(result.name),
                            detail: texts.dependencySlow(
                                url: result.url, latency: latency, limit: Texts.milliseconds(slowAfter.seconds * 1000)))
                    )
                } else {
                    unknown.insert(slowKey)  // a failed probe says nothing about speed
                }
            }

            let certificateKey = SignalKey(.certificateExpiry, result.name)
            if let expiry = result.certificateExpiresAt {
                let remaining = expiry.timeIntervalSince(now)
                let date = ConsoleRenderer.timestamp(expiry)
                signals.append(
                    Signal(
                        key: certificateKey, active: remaining < certificateWarning.seconds, severity: .warning,
                        title: texts.certificateTitle(result.name),
                        detail: remaining < 0
                            ? texts.certificateExpired(on: date)
                            : texts.certificateExpires(on: date, in: DurationText.format(seconds: remaining))))
            } else {
                unknown.insert(certificateKey)  // not read this time (not https, or unreachable)
            }
        }
        return SourceEvaluation(signals: signals, memory: next, unknown: .keys(unknown))
    }
}
