import Collectors
import FoundationEssentials

/// `ec2_cpu_high` and `ec2_memory_high` (SPEC §3): CloudWatch's 5-minute average of a
/// running instance's metric reached its threshold. An instance without a datapoint is
/// unknown, neither fired nor resolved; a stopped one is resolved by its absence.
public struct EC2MetricSource: Source {
    public let name: String
    public let ownership: KeyOwnership
    public let interval: Duration?
    let check: EC2MetricCheck
    let collector: EC2MetricCollector
    let thresholdPercent: Double
    let texts: Texts

    init(
        check: EC2MetricCheck, collector: EC2MetricCollector, interval: Duration, thresholdPercent: Double,
        texts: Texts
    ) {
        self.name = check.sourceName
        self.ownership = .families([check.family])
        self.check = check
        self.collector = collector
        self.interval = interval
        self.thresholdPercent = thresholdPercent
        self.texts = texts
    }

    public func collect(now: Date) async throws -> [EC2MetricAverage] {
        try await collector.collect(now: now)
    }

    public func evaluate(_ reading: [EC2MetricAverage], memory: NoMemory?, now: Date) -> SourceEvaluation<NoMemory> {
        var signals: [Signal] = []
        var unknown: Set<SignalKey> = []
        for instance in reading {
            let key = SignalKey(check.family, instance.instanceID)
            guard let average = instance.averagePercent else {
                unknown.insert(key)
                continue
            }
            signals.append(
                Signal(
                    key: key, active: average >= thresholdPercent, severity: .warning,
                    title: check.title(texts, instance.instanceID),
                    detail: check.detail(texts, average, thresholdPercent)))
        }
        return SourceEvaluation(signals: signals, memory: nil, unknown: unknown.isEmpty ? nil : .keys(unknown))
    }
}
