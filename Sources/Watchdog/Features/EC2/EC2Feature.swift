import Collectors

/// EC2 instances through the EC2 and CloudWatch Query APIs (SPEC §10.5): on when
/// instance ids or filters are named; each metric check (`EC2MetricCheck`) is a source
/// of its own.
public enum EC2Feature: SourceFeature {
    public typealias Settings = EC2Settings?

    public static let variables = ConfigVariable.ec2Variables
    public static let families: [SignalFamily] = [
        .ec2State, .ec2StatusCheck, .ec2ScheduledEvent, .ec2CPUHigh, .ec2MemoryHigh,
    ]

    /// The EC2 sources' settings when instances or filters are named. AWS's own
    /// variables (region, endpoints, credentials) are read as the AWS SDKs read them,
    /// from the same merged environment, so `.env` works for them too.
    public static func read(_ reader: inout ConfigReader) -> EC2Settings? {
        let ids = reader.list(.ec2InstanceIDs)
        for id in ids where !EC2Filter.isInstanceID(id) {
            reader.record(
                .init(
                    variable: ConfigVariable.ec2InstanceIDs.name,
                    message: "\"\(id.prefix(100))\" is not an instance id (i- and 8 or 17 hex digits)"))
        }
        var filters: [EC2Filter] = []
        do {
            filters = try EC2Filter.parseList(reader.text(.ec2Filters))
        } catch {
            reader.record(.init(variable: ConfigVariable.ec2Filters.name, message: error.message))
        }
        let interval = reader.duration(.ec2Interval)
        let grace = reader.duration(.ec2TransientGrace)
        let cpuPercent = reader.optionalPercent(.ec2CPUPercent)
        let memoryPercent = reader.optionalPercent(.ec2MemoryPercent)
        let validIDs = ids.filter(EC2Filter.isInstanceID)
        guard !validIDs.isEmpty || !filters.isEmpty else { return nil }

        let environment = reader.environment.values
        var aws = environment.filter { $0.key.hasPrefix("AWS_") }
        aws["HOME"] = environment["HOME"]
        let regionVariable = ["AWS_REGION", "AWS_DEFAULT_REGION"].first {
            !(environment[$0]?.trimmingSpaces().isEmpty ?? true)
        }
        guard let regionVariable, let region = environment[regionVariable]?.trimmingSpaces() else {
            reader.record(
                .init(
                    variable: "AWS_REGION",
                    message:
                        "is required (or AWS_DEFAULT_REGION) when WATCHDOG_EC2_INSTANCE_IDS or WATCHDOG_EC2_FILTERS is set"
                ))
            return nil
        }
        guard region.count <= 50, region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else {
            reader.record(.init(variable: regionVariable, message: "\"\(region.prefix(60))\" is not an AWS region"))
            return nil
        }
        for name in ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL"] {
            guard let value = environment[name]?.trimmingSpaces(), !value.isEmpty else { continue }
            if ConfigValueParser.httpURL(value) == nil {
                reader.record(.init(variable: name, message: "is not an http:// or https:// URL"))
            }
        }
        return EC2Settings(
            instanceIDs: validIDs, filters: filters, region: region, interval: interval, transientGrace: grace,
            cpuPercent: cpuPercent, memoryPercent: memoryPercent, awsEnvironment: aws)
    }

    public static func sources(_ settings: EC2Settings?, context: SourceContext) -> [any Source] {
        guard let settings else { return [] }
        // The API calls and their retries end a little before the tick's hard limit,
        // so a throttled run fails with AWS's own words rather than a timeout.
        let collectTimeout = context.configuration.collectTimeout
        let budget = collectTimeout - min(.milliseconds(500), collectTimeout / 10)
        return settings.sources(
            requestTimeout: context.configuration.httpTimeout, budget: budget, texts: context.texts)
    }
}

extension SignalFamily {
    public static let ec2State = SignalFamily(
        "ec2_state", entity: "instance id",
        activeWhen:
            "state is not `running` (`pending`/`stopping`/`shutting-down` only after `EC2_TRANSIENT_GRACE`), or EC2 does not know the id",
        severity: "critical")
    public static let ec2StatusCheck = SignalFamily(
        "ec2_status_check", entity: "instance id",
        activeWhen: "system or instance status `impaired` (detail: the failed checks)", severity: "critical")
    public static let ec2ScheduledEvent = SignalFamily(
        "ec2_scheduled_event", entity: "`instance/code`",
        activeWhen: "AWS scheduled an event (retirement, reboot, maintenance; detail: not-before date)",
        severity: "warning")
    public static let ec2CPUHigh = SignalFamily(
        "ec2_cpu_high", entity: "instance id",
        activeWhen: "CloudWatch CPUUtilization average over 5 min ≥ `EC2_CPU_PCT`", severity: "warning")
    public static let ec2MemoryHigh = SignalFamily(
        "ec2_memory_high", entity: "instance id",
        activeWhen:
            "the CloudWatch agent's `mem_used_percent` average over 5 min ≥ `EC2_MEM_PCT` (needs the agent on the instance)",
        severity: "warning")
}

extension Configuration {
    /// nil: no instance or filter named, the EC2 sources are off.
    public var ec2: EC2Settings? { features[EC2Feature.self] }
}
