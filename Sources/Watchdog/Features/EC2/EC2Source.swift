import Collectors
import FoundationEssentials
import Notify

/// What the EC2 sources watch and how (SPEC §2.3, §10.5).
public struct EC2Settings: Sendable {
    public let instanceIDs: [String]
    public let filters: [EC2Filter]
    public let region: String
    public let interval: Duration
    public let transientGrace: Duration
    /// nil: `ec2_cpu_high` is off.
    public let cpuPercent: Double?
    /// nil: `ec2_memory_high` is off. With neither, CloudWatch is never asked.
    public let memoryPercent: Double?
    /// The `AWS_*` variables (and `HOME`) the credential chain and the endpoint
    /// overrides read. They may hold keys, so they never print.
    var awsEnvironment: [String: String] { aws.values }
    private let aws: AWSEnvironment

    /// Variables whose description shows their names only.
    struct AWSEnvironment: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
        let values: [String: String]
        var description: String { "AWS variables " + values.keys.sorted().joined(separator: ", ") }
        var debugDescription: String { description }
    }

    public init(
        instanceIDs: [String], filters: [EC2Filter], region: String, interval: Duration, transientGrace: Duration,
        cpuPercent: Double?, memoryPercent: Double? = nil, awsEnvironment: [String: String]
    ) {
        self.instanceIDs = instanceIDs
        self.filters = filters
        self.region = region
        self.interval = interval
        self.transientGrace = transientGrace
        self.cpuPercent = cpuPercent
        self.memoryPercent = memoryPercent
        self.aws = AWSEnvironment(values: awsEnvironment)
    }

    /// The metric checks that are on, each with its threshold.
    var metricChecks: [(check: EC2MetricCheck, thresholdPercent: Double)] {
        EC2MetricCheck.all.compactMap { check in check.threshold(self).map { (check, $0) } }
    }

    /// The endpoints the API calls go to (CloudWatch's only with a metric check).
    public var endpoints: [String] {
        [ec2Endpoint] + (metricChecks.isEmpty ? [] : [cloudWatchEndpoint])
    }

    var ec2Endpoint: String {
        AWSQueryClient.endpoint(service: "ec2", serviceVariable: "EC2", region: region, environment: awsEnvironment)
    }

    var cloudWatchEndpoint: String {
        AWSQueryClient.endpoint(
            service: "monitoring", serviceVariable: "CLOUDWATCH", region: region, environment: awsEnvironment)
    }

    /// The collectors for these settings: one credential chain shared by all, so
    /// temporary credentials are fetched once, and one describe per tick shared by the
    /// metric checks. `metrics` follows `metricChecks`.
    func collectors(requestTimeout: Duration, budget: Duration) -> (
        instances: EC2Collector, metrics: [EC2MetricCollector]
    ) {
        let credentials = AWSCredentialChain(environment: awsEnvironment, timeout: requestTimeout)
        let ec2 = AWSQueryClient(
            service: "ec2", apiVersion: "2016-11-15", region: region, endpoint: ec2Endpoint, credentials: credentials,
            requestTimeout: requestTimeout)
        let instances = EC2Collector(client: ec2, instanceIDs: instanceIDs, filters: filters, budget: budget)
        let cloudWatch = AWSQueryClient(
            service: "monitoring", apiVersion: "2010-08-01", region: region, endpoint: cloudWatchEndpoint,
            credentials: credentials, requestTimeout: requestTimeout)
        let metrics = metricChecks.map {
            EC2MetricCollector(instances: instances, cloudWatch: cloudWatch, metric: $0.check.metric, budget: budget)
        }
        return (instances, metrics)
    }

    /// Every EC2 source these settings ask for: the instances' state, then one source
    /// per metric check that is on.
    func sources(requestTimeout: Duration, budget: Duration, texts: Texts) -> [any Source] {
        let collectors = collectors(requestTimeout: requestTimeout, budget: budget)
        let state = EC2Source(
            collector: collectors.instances, interval: interval, transientGrace: transientGrace, texts: texts)
        let metrics = zip(metricChecks, collectors.metrics).map { armed, collector in
            EC2MetricSource(
                check: armed.check, collector: collector, interval: interval,
                thresholdPercent: armed.thresholdPercent, texts: texts)
        }
        return [state] + metrics
    }
}

/// `ec2_state`, `ec2_status_check` and `ec2_scheduled_event` (SPEC §3). Runs every
/// `WATCHDOG_EC2_INTERVAL`; an API failure (throttling included, after its retries) is a
/// failure of this source, never an EC2 alert.
public struct EC2Source: Source {
    public let name = "ec2"
    public let ownership = KeyOwnership.families([.ec2State, .ec2StatusCheck, .ec2ScheduledEvent])
    public let interval: Duration?
    let collector: EC2Collector
    let transientGrace: Duration
    let texts: Texts

    /// States an instance passes through on its way somewhere; they fire only when they
    /// last longer than the grace.
    static let transientStates: Set<String> = ["pending", "stopping", "shutting-down"]

    /// Since when each instance has been in its current state, on the watchdog's clock.
    public struct Memory: Sendable, Codable, Equatable {
        public var states: [String: StateSince] = [:]

        public struct StateSince: Sendable, Codable, Equatable {
            public var state: String
            public var since: Date
        }
    }

    public init(collector: EC2Collector, interval: Duration, transientGrace: Duration, texts: Texts) {
        self.collector = collector
        self.interval = interval
        self.transientGrace = transientGrace
        self.texts = texts
    }

    public func collect(now: Date) async throws -> EC2Reading {
        try await collector.collect(now: now)
    }

    public func evaluate(_ reading: EC2Reading, memory: Memory?, now: Date) -> SourceEvaluation<Memory> {
        var signals: [Signal] = []
        var next = Memory()
        for instance in reading.instances {
            let id = instance.instanceID
            let previous = memory?.states[id]
            let since = previous?.state == instance.state ? previous?.since ?? now : now
            next.states[id] = Memory.StateSince(state: instance.state, since: since)
            signals.append(stateSignal(instance, since: since, now: now))
            signals.append(statusCheckSignal(instance))
            signals += eventSignals(instance)
        }
        for unknown in reading.unknown {
            signals.append(
                Signal(
                    key: SignalKey(.ec2State, unknown.instanceID), active: true, severity: .critical,
                    title: texts.ec2StateTitle(unknown.instanceID), detail: texts.ec2Unknown(error: unknown.error)))
        }
        let overLimit =
            reading.leftOut
            ? "the filters match more than \(EC2Collector.maximumInstances) instances;"
                + " the first \(EC2Collector.maximumInstances) are watched, the rest left out" : nil
        // Instances not asked for this time are not known to be well: theirs stay as they are.
        return SourceEvaluation(
            signals: signals, memory: next, unknown: reading.leftOut ? ownership : nil, overLimit: overLimit)
    }

    func stateSignal(_ instance: EC2InstanceStatus, since: Date, now: Date) -> Signal {
        let lasted = now.timeIntervalSince(since)
        let active: Bool
        let detail: String
        if instance.state == "running" {
            (active, detail) = (false, texts.ec2State(instance.state))
        } else if Self.transientStates.contains(instance.state) {
            active = lasted >= transientGrace.seconds
            detail = texts.ec2StateFor(instance.state, for: DurationText.format(seconds: lasted))
        } else {
            (active, detail) = (true, texts.ec2State(instance.state))
        }
        return Signal(
            key: SignalKey(.ec2State, instance.instanceID), active: active, severity: .critical,
            title: texts.ec2StateTitle(instance.instanceID), detail: detail)
    }

    func statusCheckSignal(_ instance: EC2InstanceStatus) -> Signal {
        Signal(
            key: SignalKey(.ec2StatusCheck, instance.instanceID),
            active: instance.systemStatus == "impaired" || instance.instanceStatus == "impaired", severity: .critical,
            title: texts.ec2StatusCheckTitle(instance.instanceID),
            detail: texts.ec2StatusChecks(
                system: instance.systemStatus, instance: instance.instanceStatus, failed: instance.failedChecks))
    }

    /// One key per instance and event code. Finished and cancelled events resolve; when
    /// AWS lists one code twice the earliest date is shown.
    func eventSignals(_ instance: EC2InstanceStatus) -> [Signal] {
        var byCode: [String: EC2ScheduledEvent] = [:]
        for event in instance.events {
            guard let kept = byCode[event.code] else {
                byCode[event.code] = event
                continue
            }
            if kept.isOver && !event.isOver {
                byCode[event.code] = event
            } else if kept.isOver == event.isOver,
                (event.notBefore ?? .distantFuture) < (kept.notBefore ?? .distantFuture)
            {
                byCode[event.code] = event
            }
        }
        return byCode.keys.sorted().compactMap { code in
            guard let event = byCode[code] else { return nil }
            let detail =
                event.isOver
                ? texts.ec2EventOver()
                : texts.ec2Event(
                    notBefore: event.notBefore.map(ConsoleRenderer.timestamp), description: event.description)
            return Signal(
                key: SignalKey(.ec2ScheduledEvent, "\(instance.instanceID)/\(code)"), active: !event.isOver,
                severity: .warning, title: texts.ec2EventTitle(instance.instanceID, code: code), detail: detail)
        }
    }
}
