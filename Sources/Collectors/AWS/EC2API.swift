import FoundationEssentials

/// One instance as `DescribeInstanceStatus` (with `IncludeAllInstances=true`) reports it.
public struct EC2InstanceStatus: Sendable, Equatable, Encodable {
    public var instanceID: String
    /// `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`.
    public var state: String
    /// `ok`, `impaired`, `insufficient-data`, `not-applicable`, `initializing`; nil when
    /// not reported (a stopped instance has none).
    public var systemStatus: String?
    public var instanceStatus: String?
    /// The checks that report `failed`, named as AWS names them (`reachability`), with
    /// the kind of check: `system reachability`, `instance reachability`.
    public var failedChecks: [String]
    public var events: [EC2ScheduledEvent]

    public init(
        instanceID: String, state: String, systemStatus: String? = nil, instanceStatus: String? = nil,
        failedChecks: [String] = [], events: [EC2ScheduledEvent] = []
    ) {
        self.instanceID = instanceID
        self.state = state
        self.systemStatus = systemStatus
        self.instanceStatus = instanceStatus
        self.failedChecks = failedChecks
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id"
        case state
        case systemStatus = "system_status"
        case instanceStatus = "instance_status"
        case failedChecks = "failed_checks"
        case events
    }
}

/// An event AWS scheduled for an instance: `instance-retirement`, `system-reboot`,
/// `instance-reboot`, `system-maintenance`, `instance-stop`.
public struct EC2ScheduledEvent: Sendable, Equatable, Encodable {
    public var code: String
    public var description: String
    public var notBefore: Date?
    public var notAfter: Date?

    public init(code: String, description: String = "", notBefore: Date? = nil, notAfter: Date? = nil) {
        self.code = code
        self.description = description
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// AWS keeps finished and cancelled events in the list for a while, marked by a
    /// prefix of their description.
    public var isOver: Bool {
        description.hasPrefix("[Completed]") || description.hasPrefix("[Canceled]")
            || description.hasPrefix("[Cancelled]")
    }

    enum CodingKeys: String, CodingKey {
        case code, description
        case notBefore = "not_before"
        case notAfter = "not_after"
    }
}

/// Pure readers of the EC2 answers the watchdog asks for. Elements that are missing or
/// odd are skipped, never trusted: an instance without an id is no instance.
public enum EC2Responses {
    /// Texts from AWS are cut to this many characters.
    static let textLimit = 500

    /// `DescribeInstanceStatusResponse`: the instances and the next page's token.
    public static func instanceStatuses(_ root: XMLTree.Element) -> (statuses: [EC2InstanceStatus], nextToken: String?)
    {
        let statuses = root.list("instanceStatusSet").compactMap { item -> EC2InstanceStatus? in
            guard let id = item.value("instanceId"), !id.isEmpty else { return nil }
            var failed: [String] = []
            for kind in ["system", "instance"] {
                for detail in item.child(kind + "Status")?.list("details") ?? []
                where detail.value("status") == "failed" {
                    failed.append("\(kind) \(cut(detail.value("name") ?? "check"))")
                }
            }
            let events = item.list("eventsSet").compactMap { event -> EC2ScheduledEvent? in
                guard let code = event.value("code"), !code.isEmpty else { return nil }
                return EC2ScheduledEvent(
                    code: cut(code), description: cut(event.value("description") ?? ""),
                    notBefore: event.value("notBefore").flatMap(AWSTime.parse),
                    notAfter: event.value("notAfter").flatMap(AWSTime.parse))
            }
            return EC2InstanceStatus(
                instanceID: cut(id), state: cut(item.value("instanceState", "name") ?? "unknown"),
                systemStatus: item.value("systemStatus", "status").map(cut),
                instanceStatus: item.value("instanceStatus", "status").map(cut),
                failedChecks: failed, events: events)
        }
        return (statuses, nextToken(root))
    }

    /// `DescribeInstancesResponse`: every instance's id and state, and the next token.
    public static func instances(_ root: XMLTree.Element) -> (
        instances: [(id: String, state: String)], nextToken: String?
    ) {
        var instances: [(id: String, state: String)] = []
        for reservation in root.list("reservationSet") {
            for instance in reservation.list("instancesSet") {
                guard let id = instance.value("instanceId"), !id.isEmpty else { continue }
                instances.append((cut(id), cut(instance.value("instanceState", "name") ?? "unknown")))
            }
        }
        return (instances, nextToken(root))
    }

    static func nextToken(_ root: XMLTree.Element) -> String? {
        guard let token = root.value("nextToken"), !token.isEmpty else { return nil }
        return token
    }

    /// The instance ids an `InvalidInstanceID.NotFound` message names:
    /// `The instance IDs 'i-1, i-2' do not exist`.
    public static func missingInstanceIDs(in message: String) -> [String] {
        message.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") })
            .filter { $0.hasPrefix("i-") && $0.count > 2 }
            .map(String.init)
    }

    static func cut(_ text: String) -> String {
        text.count > textLimit ? String(text.prefix(textLimit)) + "…" : text
    }
}

/// `CloudWatch GetMetricStatistics` answers.
public enum CloudWatchResponses {
    /// The latest datapoint's `Average`, or nil when there is none.
    public static func latestAverage(_ root: XMLTree.Element) -> (at: Date, average: Double)? {
        let result = root.child("GetMetricStatisticsResult") ?? root
        let points = result.list("Datapoints").compactMap { point -> (Date, Double)? in
            guard let time = point.value("Timestamp").flatMap(AWSTime.parse),
                let average = point.value("Average").flatMap(Double.init), average.isFinite
            else { return nil }
            return (time, average)
        }
        return points.max { $0.0 < $1.0 }.map { (at: $0.0, average: $0.1) }
    }
}
