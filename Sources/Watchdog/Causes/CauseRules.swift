import Notify

/// What decides which alerts hold which (SPEC §4.2): the built-in causes, the rules of
/// `WATCHDOG_INHIBIT`, and the hosts of the dependencies and the orchestrator, which a
/// container is matched against by its names.
public struct CauseRules: Sendable, Equatable {
    /// `WATCHDOG_INHIBIT`'s rules, in the order written.
    public var rules: [InhibitRule]
    /// Per dependency name, its URL's host, lowercased.
    public var dependencyHosts: [String: String]
    /// The orchestrator URL's host, lowercased; nil without an orchestrator.
    public var orchestratorHost: String?

    public init(rules: [InhibitRule] = [], dependencyHosts: [String: String] = [:], orchestratorHost: String? = nil) {
        self.rules = rules
        self.dependencyHosts = dependencyHosts
        self.orchestratorHost = orchestratorHost
    }

    /// The families each built-in cause holds (SPEC §4.2's table).
    static let containerFamilies: [SignalFamily] = [.containerDown, .containerUnhealthy, .containerRestarts]
    static let orchestratorEffects: [SignalFamily] = [
        .orchestratorStale, .agentHung, .jobFailed, .queueBacklog, .rule,
    ]
    static let ec2Effects: [SignalFamily] = [.ec2StatusCheck, .ec2CPUHigh, .ec2MemoryHigh, .ec2ScheduledEvent]
    static let containerCauseEffects: [SignalFamily] =
        containerFamilies + [.dependencyDown, .dependencySlow, .certificateExpiry, .orchestratorDown]

    /// The built-in causes as rules over families: what the cycle check sees of them.
    static var builtIn: [InhibitRule] {
        func rule(_ name: String, _ causes: [SignalFamily], _ effects: [SignalFamily]) -> InhibitRule {
            InhibitRule(
                source: [], target: [], equal: [],
                sourceScope: MatcherScope(families: Set(causes.map(\.rawValue))),
                targetScope: MatcherScope(families: Set(effects.map(\.rawValue))), name: name, isBuiltIn: true)
        }
        return [
            rule("the built-in cause docker_unreachable", [.dockerUnreachable], containerFamilies),
            rule("the built-in cause orchestrator_down", [.orchestratorDown], orchestratorEffects),
            rule("the built-in cause ec2_state", [.ec2State], ec2Effects),
            // Containers holding containers follow the compose graph, which compose keeps
            // free of cycles and which is not known at start: left out here, and a cycle
            // of a rule with it at run time holds nobody (`CauseGraph`).
            rule(
                "the built-in causes container_down and container_unhealthy", [.containerDown, .containerUnhealthy],
                containerCauseEffects.filter { !containerFamilies.contains($0) }),
        ]
    }

    /// A cycle through at least one of `rules` and the built-in causes, as the names of
    /// its rules in order; nil when there is none. Rule A leads to rule B when an alert A
    /// holds could be one B takes as its cause.
    static func cycle(in rules: [InhibitRule]) -> [String]? {
        let all = builtIn + rules
        let next = all.map { from in all.indices.filter { from.targetScope.overlaps(all[$0].sourceScope) } }
        for start in all.indices where !all[start].isBuiltIn {
            // A path back to `start`, breadth first so the shortest is named.
            var cameFrom: [Int: Int] = [:]
            var queue = [start]
            var head = 0
            var found: Int?
            search: while head < queue.count {
                let node = queue[head]
                head += 1
                for successor in next[node] {
                    if successor == start {
                        found = node
                        break search
                    }
                    if cameFrom[successor] == nil {
                        cameFrom[successor] = node
                        queue.append(successor)
                    }
                }
            }
            guard var node = found else { continue }
            var path = [node]
            while node != start, let previous = cameFrom[node] {
                path.append(previous)
                node = previous
            }
            return path.reversed().map { all[$0].name }
        }
        return nil
    }
}
