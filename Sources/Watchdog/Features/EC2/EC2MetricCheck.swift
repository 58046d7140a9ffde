import Collectors

/// A CloudWatch metric the EC2 feature compares with a threshold (SPEC §3): one row per
/// family. A new metric check is a row in `all`, its threshold variable and its texts.
struct EC2MetricCheck: Sendable {
    /// The source's name: logs, `collector_failed:<name>`, the state file.
    let sourceName: String
    let family: SignalFamily
    let metric: EC2Metric
    /// The threshold in percent from the settings; nil: the check is off.
    let threshold: @Sendable (EC2Settings) -> Double?
    let title: @Sendable (Texts, _ instanceID: String) -> String
    let detail: @Sendable (Texts, _ averagePercent: Double, _ thresholdPercent: Double) -> String

    static let all: [EC2MetricCheck] = [.cpu, .memory]

    static let cpu = EC2MetricCheck(
        sourceName: "ec2_cpu", family: .ec2CPUHigh, metric: .cpuUtilization, threshold: { $0.cpuPercent },
        title: { $0.ec2CPUTitle($1) }, detail: { $0.ec2CPU(average: $1, threshold: $2) })

    /// Needs the CloudWatch agent on the instance; without it there is no datapoint and
    /// the key stays as it was.
    static let memory = EC2MetricCheck(
        sourceName: "ec2_memory", family: .ec2MemoryHigh, metric: .agentMemoryUsed, threshold: { $0.memoryPercent },
        title: { $0.ec2MemoryTitle($1) }, detail: { $0.ec2Memory(average: $1, threshold: $2) })
}
