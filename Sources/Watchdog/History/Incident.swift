import FoundationEssentials
import Notify

/// One problem from its fire to its resolve (SPEC §14): what it was, how long it lasted,
/// who acknowledged it, what held it and who was told. A line of the incident log is one
/// incident as it stood after a change (`event`, `at`): the last line of an `id` is the
/// incident. Its JSON shape is an interface (the README documents it; people `jq` it):
/// fields are only ever added.
public struct Incident: Sendable, Codable, Equatable {
    /// What changed when this line was written.
    public enum Event: String, Sendable, Codable, CaseIterable {
        case opened
        case acknowledged
        case escalated
        case silenced
        case inhibited
        case resolved
    }

    /// Stable for the problem: its key and when it started.
    public var id: String
    public var event: Event
    /// When the change happened (an acknowledgement: when it was made).
    public var at: Date
    public var key: String
    public var family: String
    public var entity: String?
    /// The highest severity it reached.
    public var severity: Severity
    public var title: String
    public var startedAt: Date
    public var resolvedAt: Date?
    public var acknowledgedBy: String?
    public var acknowledgedAt: Date?
    /// Where the acknowledgement came from: a chat or Pushover channel's name, `api`, `link`.
    public var acknowledgedVia: String?
    /// The silences that held it, by id.
    public var silencedBy: [String]
    /// The causes it was held behind (SPEC §4.2), by key.
    public var inhibitedBy: [String]
    /// The escalation tiers told, by channel name.
    public var escalatedTo: [String]
    /// Its fire went out (not held from start to end by a silence or a cause).
    public var announced: Bool
    /// The channels told of it, by name.
    public var channels: [String]

    /// At most this many entries in each list: an incident line stays small.
    public static let listLimit = 20

    public init(
        id: String, event: Event, at: Date, key: String, family: String, entity: String?, severity: Severity,
        title: String, startedAt: Date, resolvedAt: Date? = nil, acknowledgedBy: String? = nil,
        acknowledgedAt: Date? = nil, acknowledgedVia: String? = nil, silencedBy: [String] = [],
        inhibitedBy: [String] = [], escalatedTo: [String] = [], announced: Bool = false, channels: [String] = []
    ) {
        self.id = id
        self.event = event
        self.at = at
        self.key = key
        self.family = family
        self.entity = entity
        self.severity = severity
        self.title = title
        self.startedAt = startedAt
        self.resolvedAt = resolvedAt
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedVia = acknowledgedVia
        self.silencedBy = silencedBy
        self.inhibitedBy = inhibitedBy
        self.escalatedTo = escalatedTo
        self.announced = announced
        self.channels = channels
    }

    /// The id of the problem of `key` that started at `startedAt`.
    /// (FNV-1a of `key@seconds`, 16 hex digits: short, stable across versions.)
    public static func id(key: SignalKey, startedAt: Date) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(key.description)@\(Int(startedAt.timeIntervalSince1970))".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public var isOpen: Bool { resolvedAt == nil }

    /// How long it lasted, or has lasted by `now` while open; never negative.
    public func duration(at now: Date) -> TimeInterval {
        max(0, (resolvedAt ?? now).timeIntervalSince(startedAt))
    }

    /// How long until someone acknowledged it; nil when nobody did.
    public var timeToAcknowledge: TimeInterval? {
        acknowledgedAt.map { max(0, $0.timeIntervalSince(startedAt)) }
    }

    enum CodingKeys: String, CodingKey {
        case id, event, at, key, family, entity, severity, title, announced, channels
        case startedAt = "started_at"
        case resolvedAt = "resolved_at"
        case durationS = "duration_s"
        case acknowledgedBy = "acknowledged_by"
        case acknowledgedAt = "acknowledged_at"
        case acknowledgedVia = "acknowledged_via"
        case silencedBy = "silenced_by"
        case inhibitedBy = "inhibited_by"
        case escalatedTo = "escalated_to"
    }

    /// Lenient where leniency loses nothing: lists and flags a line leaves out are empty,
    /// so lines of older versions and lines written by hand read. What an incident cannot
    /// be without (id, key, times) must be there.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        event = (try? container.decode(Event.self, forKey: .event)) ?? .opened
        at = try container.decode(Date.self, forKey: .at)
        key = try container.decode(String.self, forKey: .key)
        family = try container.decodeIfPresent(String.self, forKey: .family) ?? key
        entity = try container.decodeIfPresent(String.self, forKey: .entity)
        severity = (try? container.decode(Severity.self, forKey: .severity)) ?? .warning
        title = try container.decodeIfPresent(String.self, forKey: .title) ?? key
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        resolvedAt = try container.decodeIfPresent(Date.self, forKey: .resolvedAt)
        acknowledgedBy = try container.decodeIfPresent(String.self, forKey: .acknowledgedBy)
        acknowledgedAt = try container.decodeIfPresent(Date.self, forKey: .acknowledgedAt)
        acknowledgedVia = try container.decodeIfPresent(String.self, forKey: .acknowledgedVia)
        func list(_ key: CodingKeys) throws -> [String] {
            Array((try container.decodeIfPresent([String].self, forKey: key) ?? []).prefix(Self.listLimit))
        }
        silencedBy = try list(.silencedBy)
        inhibitedBy = try list(.inhibitedBy)
        escalatedTo = try list(.escalatedTo)
        channels = try list(.channels)
        announced = try container.decodeIfPresent(Bool.self, forKey: .announced) ?? false
    }

    /// Every field is written, `null` included, so a `jq` filter never meets a missing
    /// one; `duration_s` once resolved, for readers that do not do date arithmetic.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(event, forKey: .event)
        try container.encode(at, forKey: .at)
        try container.encode(key, forKey: .key)
        try container.encode(family, forKey: .family)
        try container.encode(entity, forKey: .entity)
        try container.encode(severity, forKey: .severity)
        try container.encode(title, forKey: .title)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(resolvedAt, forKey: .resolvedAt)
        try container.encode(resolvedAt.map { Int(duration(at: $0).rounded()) }, forKey: .durationS)
        try container.encode(acknowledgedBy, forKey: .acknowledgedBy)
        try container.encode(acknowledgedAt, forKey: .acknowledgedAt)
        try container.encode(acknowledgedVia, forKey: .acknowledgedVia)
        try container.encode(silencedBy, forKey: .silencedBy)
        try container.encode(inhibitedBy, forKey: .inhibitedBy)
        try container.encode(escalatedTo, forKey: .escalatedTo)
        try container.encode(announced, forKey: .announced)
        try container.encode(channels, forKey: .channels)
    }
}
