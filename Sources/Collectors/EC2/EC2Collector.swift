import FoundationEssentials
import FoundationGaps
import Synchronization

/// One `WATCHDOG_EC2_FILTERS` filter: `tag:Role=worker` or
/// `instance-state-name=running,stopped`.
public struct EC2Filter: Sendable, Equatable {
    public let name: String
    public let values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// `name=value,value;name=value`: filters separated by `;`, values by `,`.
    public static func parseList(_ text: String) throws(CollectorError) -> [EC2Filter] {
        var filters: [EC2Filter] = []
        for part in text.split(separator: ";") {
            let item = part.trimmingWhitespace()
            if item.isEmpty { continue }
            guard let equals = item.firstIndex(of: "=") else {
                throw CollectorError("\"\(item.prefix(100))\" is not name=value[,value] (e.g. tag:Role=worker)")
            }
            let name = item[..<equals].trimmingWhitespace()
            let values = item[item.index(after: equals)...].split(separator: ",")
                .map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            guard !name.isEmpty, name.count <= 255, !values.isEmpty else {
                throw CollectorError("\"\(item.prefix(100))\" needs a filter name and at least one value")
            }
            guard filters.count < 50, values.count <= 200 else {
                throw CollectorError("too many filters or values (at most 50 filters of 200 values)")
            }
            filters.append(EC2Filter(name: name, values: values))
        }
        return filters
    }

    /// `i-` and 8 or 17 hexadecimal digits.
    public static func isInstanceID(_ text: String) -> Bool {
        guard text.hasPrefix("i-") else { return false }
        let digits = text.dropFirst(2)
        return (digits.count == 8 || digits.count == 17) && digits.allSatisfy(\.isHexDigit)
    }
}

/// A configured instance id that EC2 does not know, with the API's own words.
public struct EC2UnknownInstance: Sendable, Equatable, Encodable {
    public let instanceID: String
    public let error: String

    public init(instanceID: String, error: String) {
        self.instanceID = instanceID
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id"
        case error
    }
}

/// What the EC2 collector saw: every watched instance, and the configured ids EC2 does
/// not know.
public struct EC2Reading: Sendable, Equatable, Encodable {
    public var instances: [EC2InstanceStatus]
    public var unknown: [EC2UnknownInstance]
    /// The filters matched more instances than `EC2Collector.maximumInstances`: the first
    /// ones are watched, the rest were not asked for.
    public var leftOut: Bool

    public init(instances: [EC2InstanceStatus], unknown: [EC2UnknownInstance] = [], leftOut: Bool = false) {
        self.instances = instances
        self.unknown = unknown
        self.leftOut = leftOut
    }
}

/// Reads the watched instances through the EC2 Query API (SPEC §10.5): the ids of
/// `WATCHDOG_EC2_FILTERS` from `DescribeInstances`, then `DescribeInstanceStatus` with
/// `IncludeAllInstances=true` for them and `WATCHDOG_EC2_INSTANCE_IDS`, at most 100 ids
/// per request, every page followed. Read-only: no other action is ever sent.
public struct EC2Collector: Sendable {
    public let client: AWSQueryClient
    public let instanceIDs: [String]
    public let filters: [EC2Filter]
    /// Everything, retries included, must finish within this.
    public let budget: Duration
    /// Shared by every copy of this collector: the CPU collector's copy asks in the same
    /// tick and gets the same answer, so the instances are described once per interval.
    private let oncePerTick = OncePerTick<EC2Reading>()

    static let batchSize = 100
    /// Pages of one query: a status query of at most `batchSize` ids has one page in
    /// practice; `DescribeInstances` reaches `maximumInstances` in one or two.
    static let pageLimit = 100
    /// Instances the filters may add (SPEC §12: scale is not failure): beyond them no
    /// further page is asked for, the first are watched and the reading says so. Ids
    /// named in `WATCHDOG_EC2_INSTANCE_IDS` are always watched.
    public static let maximumInstances = 1_000

    public init(client: AWSQueryClient, instanceIDs: [String], filters: [EC2Filter], budget: Duration) {
        self.client = client
        self.instanceIDs = instanceIDs
        self.filters = filters
        self.budget = budget
    }

    /// Every call signed with the tick's `now`, all of them within `budget`; a second
    /// call for the same tick (the CPU source's) waits for the first one's answer.
    public func collect(now: Date) async throws -> EC2Reading {
        try await oncePerTick.value(for: now) {
            try await describe(time: AWSCallTime(now: now, budget: budget))
        }
    }

    private func describe(time: AWSCallTime) async throws -> EC2Reading {
        var filtered: [String: String] = [:]
        var order: [String] = []
        var leftOut = false
        if !filters.isEmpty {
            let found = try await describeInstances(time: time)
            leftOut = found.leftOut
            for instance in found.instances where filtered[instance.id] == nil {
                filtered[instance.id] = instance.state
                order.append(instance.id)
            }
        }
        for id in instanceIDs where filtered[id] == nil && !order.contains(id) { order.append(id) }

        var statuses: [String: EC2InstanceStatus] = [:]
        var unknown: [EC2UnknownInstance] = []
        var start = 0
        while start < order.count {
            let batch = Array(order[start..<min(start + Self.batchSize, order.count)])
            start += batch.count
            let answer = try await describeStatus(batch, time: time)
            for status in answer.statuses { statuses[status.instanceID] = status }
            // An id found by the filters that vanished since is simply gone; only the
            // ids the operator named are reported as unknown.
            unknown += answer.notFound.filter { filtered[$0.instanceID] == nil }
        }
        let unknownIDs = Set(unknown.map(\.instanceID))
        let instances = order.compactMap { id -> EC2InstanceStatus? in
            if let status = statuses[id] { return status }
            if let state = filtered[id] { return EC2InstanceStatus(instanceID: id, state: state) }
            return nil
        }
        let unreported = order.filter { statuses[$0] == nil && filtered[$0] == nil && !unknownIDs.contains($0) }
        return EC2Reading(
            instances: instances,
            unknown: unknown
                + unreported.map {
                    EC2UnknownInstance(instanceID: $0, error: "DescribeInstanceStatus did not report this instance")
                },
            leftOut: leftOut)
    }

    /// The instances the filters match, page after page, up to `maximumInstances`; past
    /// them no page is asked for.
    private func describeInstances(time: AWSCallTime) async throws -> (
        instances: [(id: String, state: String)], leftOut: Bool
    ) {
        var parameters: [(String, String)] = [("MaxResults", "1000")]
        for (index, filter) in filters.enumerated() {
            parameters.append(("Filter.\(index + 1).Name", filter.name))
            for (valueIndex, value) in filter.values.enumerated() {
                parameters.append(("Filter.\(index + 1).Value.\(valueIndex + 1)", value))
            }
        }
        var found: [(id: String, state: String)] = []
        var token: String?
        for _ in 0..<Self.pageLimit {
            let answer: XMLTree.Element
            do {
                answer = try await client.call(
                    "DescribeInstances", parameters + (token.map { [("NextToken", $0)] } ?? []), time: time)
            } catch let error as AWSAPIError {
                throw CollectorError("ec2 DescribeInstances: \(error)")
            }
            let page = EC2Responses.instances(answer)
            found += page.instances
            if found.count > Self.maximumInstances {
                return (Array(found.prefix(Self.maximumInstances)), true)
            }
            guard let next = page.nextToken else { return (found, false) }
            if found.count == Self.maximumInstances { return (found, true) }
            token = next
        }
        // Pages of fewer instances than that, and still more: what was found is watched.
        return (found, true)
    }

    /// One batch; ids that EC2 reports as not found are taken out and the rest asked
    /// again, so one bad id does not hide the others.
    private func describeStatus(_ batch: [String], time: AWSCallTime) async throws
        -> (statuses: [EC2InstanceStatus], notFound: [EC2UnknownInstance])
    {
        var remaining = batch
        var notFound: [EC2UnknownInstance] = []
        while !remaining.isEmpty {
            do {
                return (try await statusPages(remaining, time: time), notFound)
            } catch let error as AWSAPIError where error.code == "InvalidInstanceID.NotFound" {
                let named = Set(EC2Responses.missingInstanceIDs(in: error.message)).intersection(remaining)
                // A message that names none of the ids asked for would loop forever.
                guard !named.isEmpty else { throw CollectorError("ec2 DescribeInstanceStatus: \(error)") }
                notFound += remaining.filter(named.contains).map {
                    EC2UnknownInstance(instanceID: $0, error: error.description)
                }
                remaining.removeAll(where: named.contains)
            } catch let error as AWSAPIError {
                throw CollectorError("ec2 DescribeInstanceStatus: \(error)")
            }
        }
        return ([], notFound)
    }

    private func statusPages(_ ids: [String], time: AWSCallTime) async throws -> [EC2InstanceStatus] {
        var parameters: [(String, String)] = [("IncludeAllInstances", "true")]
        for (index, id) in ids.enumerated() { parameters.append(("InstanceId.\(index + 1)", id)) }
        var statuses: [EC2InstanceStatus] = []
        var token: String?
        for _ in 0..<Self.pageLimit {
            let page = EC2Responses.instanceStatuses(
                try await client.call(
                    "DescribeInstanceStatus", parameters + (token.map { [("NextToken", $0)] } ?? []),
                    time: time))
            statuses += page.statuses
            guard let next = page.nextToken else { return statuses }
            token = next
        }
        throw CollectorError("ec2 DescribeInstanceStatus: more than \(Self.pageLimit) pages")
    }
}

/// The answer of one operation per tick, shared by whoever asks for the same tick while
/// it runs or after: the first caller starts it, the others await the same result (a
/// failure included). Only the latest tick is kept.
final class OncePerTick<Value: Sendable>: Sendable {
    private let latest = Mutex<(tick: Date, task: Task<Value, any Error>)?>(nil)

    func value(for tick: Date, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = latest.withLock { latest -> Task<Value, any Error> in
            if let latest, latest.tick == tick { return latest.task }
            let task = Task { try await operation() }
            latest = (tick, task)
            return task
        }
        // A caller that gives up (shutdown, the collect timeout) abandons the wait only:
        // the shared work is bounded by its own budget and finishes for the others.
        return try await task.value
    }
}
