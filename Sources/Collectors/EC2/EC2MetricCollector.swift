import FoundationEssentials

/// A CloudWatch metric of an EC2 instance, in percent, found by its `InstanceId`
/// dimension.
public struct EC2Metric: Sendable, Equatable {
    public let namespace: String
    public let name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// EC2's own CPU metric: there for every instance.
    public static let cpuUtilization = EC2Metric(namespace: "AWS/EC2", name: "CPUUtilization")
    /// The CloudWatch agent's memory metric: there only where the agent runs and
    /// appends the `InstanceId` dimension.
    public static let agentMemoryUsed = EC2Metric(namespace: "CWAgent", name: "mem_used_percent")
}

/// One running instance's metric: CloudWatch's latest 5-minute average, nil when
/// CloudWatch has no datapoint for the last ten minutes.
public struct EC2MetricAverage: Sendable, Equatable, Encodable {
    public let instanceID: String
    public let averagePercent: Double?

    public init(instanceID: String, averagePercent: Double?) {
        self.instanceID = instanceID
        self.averagePercent = averagePercent
    }

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id"
        case averagePercent = "average_percent"
    }
}

/// Reads one metric of every running watched instance from CloudWatch
/// (`GetMetricStatistics`, Query API, service `monitoring`), a few at a time.
///
/// Each metric is a source of its own, so a CloudWatch problem (a missing permission,
/// say) fails only that check and never hides an instance's state.
public struct EC2MetricCollector: Sendable {
    public let instances: EC2Collector
    public let cloudWatch: AWSQueryClient
    public let metric: EC2Metric
    public let budget: Duration
    /// CloudWatch requests in flight at once.
    static let parallelism = 8

    public init(instances: EC2Collector, cloudWatch: AWSQueryClient, metric: EC2Metric, budget: Duration) {
        self.instances = instances
        self.cloudWatch = cloudWatch
        self.metric = metric
        self.budget = budget
    }

    public func collect(now: Date) async throws -> [EC2MetricAverage] {
        let time = AWSCallTime(now: now, budget: budget)
        let running = try await instances.collect(now: now).instances
            .filter { $0.state == "running" }.map(\.instanceID)
        var averages: [String: Double?] = [:]
        try await withThrowingTaskGroup(of: (String, Double?).self) { group in
            var next = 0
            func startNext() {
                guard next < running.count else { return }
                let id = running[next]
                next += 1
                group.addTask { (id, try await average(of: id, time: time)) }
            }
            for _ in 0..<Self.parallelism { startNext() }
            while let (id, average) = try await group.next() {
                averages[id] = average
                startNext()
            }
        }
        return running.map { EC2MetricAverage(instanceID: $0, averagePercent: averages[$0] ?? nil) }
    }

    /// The average over the last complete 5-minute period: asking for ten minutes makes
    /// sure a period is there whatever the instance's monitoring granularity. The end
    /// is a minute ahead because the times are whole seconds and a datapoint stamped in
    /// this very second must not fall outside.
    func average(of instanceID: String, time: AWSCallTime) async throws -> Double? {
        let now = time.signedAt
        let parameters: [(String, String)] = [
            ("Namespace", metric.namespace), ("MetricName", metric.name),
            ("Dimensions.member.1.Name", "InstanceId"), ("Dimensions.member.1.Value", instanceID),
            ("StartTime", AWSTime.format(now.addingTimeInterval(-600))),
            ("EndTime", AWSTime.format(now.addingTimeInterval(60))),
            ("Period", "300"), ("Statistics.member.1", "Average"),
        ]
        do {
            let answer = try await cloudWatch.call("GetMetricStatistics", parameters, time: time)
            return CloudWatchResponses.latestAverage(answer)?.average
        } catch let error as AWSAPIError {
            throw CollectorError("cloudwatch GetMetricStatistics: \(error)")
        }
    }
}
