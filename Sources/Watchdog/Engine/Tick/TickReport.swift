import FoundationEssentials
import Notify

/// Everything one tick saw and did: the document `watchdog once --json` prints.
///
/// The shape is a contract (docs/commands.md, "Reading `once --json`"): fields are only ever added.
public struct TickReport: Sendable, Encodable {
    public static let formatVersion = 1

    public let time: Date
    public let instance: String
    public let collectors: [CollectorReport]
    public let signals: [Signal]
    public let decisions: [Decision]
    public let notifications: [AlertNotification]
    /// Notifications a silence held this tick.
    public let muted: Int
    /// The same, per family (for `/metrics`; not in the JSON).
    public let silencedByFamily: [String: Int]
    /// Notifications held behind a firing cause, per family (for `/metrics`; not in the JSON).
    public let inhibitedByFamily: [String: Int]
    /// Escalations sent, per tier number (for `/metrics`; not in the JSON).
    public let escalationsByTier: [Int: Int]
    /// Wall time of the whole tick.
    public let duration: Duration
    /// When the tick ended on the tick's clock: its `time` plus its duration, so no
    /// second clock read is needed.
    public var finishedAt: Date { time.addingTimeInterval(duration.seconds) }
    /// The state after the tick (for `/alerts` and `/metrics`; not in the JSON).
    public let state: EngineState
    public var alerts: [SignalKey: TrackedAlert] { state.alerts }

    public init(
        time: Date, instance: String, outcomes: [SourceOutcome], evaluation: TickEvaluation, duration: Duration
    ) {
        self.time = time
        self.duration = duration
        self.state = evaluation.state
        self.instance = instance
        self.collectors = outcomes.map(CollectorReport.init)
        self.signals = outcomes.filter { $0.status == .ok }.flatMap(\.signals)
        self.decisions = evaluation.decisions
        self.notifications = evaluation.notifications
        self.muted = evaluation.silencedCount
        self.silencedByFamily = evaluation.silencedByFamily
        self.escalationsByTier = evaluation.escalationsByTier
        self.inhibitedByFamily = evaluation.inhibitedByFamily
    }

    enum CodingKeys: String, CodingKey {
        case version, time, instance, collectors, signals, decisions, notifications, muted, durationMs
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatVersion, forKey: .version)
        try container.encode(time, forKey: .time)
        try container.encode(instance, forKey: .instance)
        try container.encode(collectors, forKey: .collectors)
        try container.encode(signals, forKey: .signals)
        try container.encode(decisions, forKey: .decisions)
        try container.encode(notifications, forKey: .notifications)
        try container.encode(muted, forKey: .muted)
        try container.encode((duration.seconds * 1000 * 1000).rounded() / 1000, forKey: .durationMs)
    }

    /// The report as pretty, key-sorted JSON with snake_case keys and ISO 8601 times.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }
}

/// One source's part of a tick report.
public struct CollectorReport: Sendable, Encodable {
    public let name: String
    /// `ok`, `failed`, `not_due` or `cancelled`.
    public let status: String
    public let error: String?
    public let durationMs: Double
    public let reading: (any Encodable & Sendable)?

    init(_ outcome: SourceOutcome) {
        name = outcome.source
        switch outcome.status {
        case .ok: (status, error) = ("ok", nil)
        case .failed(let message): (status, error) = ("failed", message)
        case .notDue: (status, error) = ("not_due", nil)
        case .cancelled: (status, error) = ("cancelled", nil)
        }
        durationMs = (outcome.duration.seconds * 1000 * 1000).rounded() / 1000
        reading = outcome.reading
    }

    enum CodingKeys: String, CodingKey {
        case name, status, error, durationMs, reading
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(error, forKey: .error)
        try container.encode(durationMs, forKey: .durationMs)
        if let reading {
            try reading.encode(to: container.superEncoder(forKey: .reading))
        } else {
            try container.encodeNil(forKey: .reading)
        }
    }
}
