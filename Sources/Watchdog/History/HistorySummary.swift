import FoundationEssentials
import Notify

/// What a period of the incident log says (SPEC §14): how many incidents, by severity;
/// the longest; the keys that fired most; mean time to acknowledge and to resolve. One
/// pure function answers the API, the chat's `/history`, the scheduled report and the
/// status page, so they cannot disagree.
public struct HistorySummary: Sendable, Equatable, Encodable {
    public struct Longest: Sendable, Equatable, Encodable {
        public let id: String
        public let key: String
        public let title: String
        public let durationS: Int
        public let open: Bool

        enum CodingKeys: String, CodingKey {
            case id, key, title, open
            case durationS = "duration_s"
        }
    }

    public struct KeyCount: Sendable, Equatable, Encodable {
        public let key: String
        public let incidents: Int
    }

    public let from: Date
    public let to: Date
    public let incidents: Int
    public let critical: Int
    public let warning: Int
    /// Still open at `to`.
    public let open: Int
    public let acknowledged: Int
    /// Announced to a channel (not held from start to end by a silence or a cause).
    public let announced: Int
    public let meanTimeToAcknowledgeS: Int?
    public let meanTimeToResolveS: Int?
    /// At most three, longest first.
    public let longest: [Longest]
    /// Keys with more than one incident, most first; at most five.
    public let noisiest: [KeyCount]

    enum CodingKeys: String, CodingKey {
        case from, to, incidents, critical, warning, open, acknowledged, announced, longest, noisiest
        case meanTimeToAcknowledgeS = "mean_time_to_acknowledge_s"
        case meanTimeToResolveS = "mean_time_to_resolve_s"
    }

    public var isQuiet: Bool { incidents == 0 }

    /// The incidents that were going on at some moment of `from...to`: started by `to`,
    /// and open or resolved at `from` or later. Oldest start first, as given.
    public static func within(_ incidents: [Incident], from: Date, to: Date) -> [Incident] {
        incidents.filter { $0.startedAt <= to && ($0.resolvedAt.map { $0 >= from } ?? true) }
    }

    /// The summary of the incidents going on within `from...to` (see `within`); a
    /// duration is measured to `to` while its incident is open.
    public static func of(_ incidents: [Incident], from: Date, to: Date) -> HistorySummary {
        let period = within(incidents, from: from, to: to)
        let acknowledged = period.compactMap(\.timeToAcknowledge)
        let resolved = period.filter { $0.resolvedAt.map { $0 <= to } ?? false }.map { $0.duration(at: to) }
        func mean(_ values: [TimeInterval]) -> Int? {
            values.isEmpty ? nil : Int((values.reduce(0, +) / Double(values.count)).rounded())
        }
        let longest = period.sorted { ($0.duration(at: to), $1.startedAt) > ($1.duration(at: to), $0.startedAt) }
            .prefix(3)
            .map {
                Longest(
                    id: $0.id, key: $0.key, title: $0.title, durationS: Int($0.duration(at: to).rounded()),
                    open: $0.resolvedAt.map { $0 > to } ?? true)
            }
        var counts: [String: Int] = [:]
        for incident in period { counts[incident.key, default: 0] += 1 }
        let noisiest = counts.filter { $0.value > 1 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5)
            .map { KeyCount(key: $0.key, incidents: $0.value) }
        return HistorySummary(
            from: from, to: to, incidents: period.count,
            critical: period.count { $0.severity == .critical }, warning: period.count { $0.severity == .warning },
            open: period.count { $0.resolvedAt.map { $0 > to } ?? true },
            acknowledged: acknowledged.count, announced: period.count(where: \.announced),
            meanTimeToAcknowledgeS: mean(acknowledged), meanTimeToResolveS: mean(resolved),
            longest: Array(longest), noisiest: Array(noisiest))
    }
}
