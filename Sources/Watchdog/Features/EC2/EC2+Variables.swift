/// The variables of EC2 (SPEC §2.3, §10.5).
extension ConfigVariable {
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
    static let ec2MemoryPercent = ConfigVariable(
        "WATCHDOG_EC2_MEM_PCT", .percent, default: "",
        "ec2_memory_high fires when the CloudWatch agent's 5-minute mem_used_percent average reaches this; needs the agent on the instance; empty = off"
    )

    /// In the order docs/configuration.md lists them.
    static let ec2Variables: [ConfigVariable] = [
        .ec2InstanceIDs, .ec2Filters, .ec2Interval, .ec2TransientGrace, .ec2CPUPercent, .ec2MemoryPercent,
    ]
}
