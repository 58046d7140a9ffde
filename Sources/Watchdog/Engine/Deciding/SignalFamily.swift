/// A kind of problem the watchdog knows (SPEC §3). A signal key is a family plus, for
/// most families, an entity.
///
/// Each family is declared by the feature whose sources report it (`static let` in the
/// feature's folder, listed in its `families`), `collector_failed` by the engine; the
/// known families, `allCases`, come from `FeatureCatalog`, and so does the signals
/// table of docs/signals.md. Two families are the same when their names are.
public struct SignalFamily: Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    public let rawValue: String
    /// Edge families announce each occurrence and never resolve (SPEC §4).
    public let isEdge: Bool
    /// The signals table's row (docs/signals.md): what the entity is, when it fires, how severe.
    public let entity: String
    public let activeWhen: String
    public let severity: String

    init(_ rawValue: String, entity: String, activeWhen: String, severity: String, isEdge: Bool = false) {
        self.rawValue = rawValue
        self.entity = entity
        self.activeWhen = activeWhen
        self.severity = severity
        self.isEdge = isEdge
    }

    /// A known family by its name; nil for any other text (a key in the state file or
    /// in `WATCHDOG_MUTE` naming no family this watchdog knows).
    public init?(rawValue: String) {
        guard let known = Self.byName[rawValue] else { return nil }
        self = known
    }

    /// Every family the watchdog knows, in the docs' order.
    public static var allCases: [SignalFamily] { FeatureCatalog.families }

    private static let byName: [String: SignalFamily] = Dictionary(
        allCases.map { ($0.rawValue, $0) }, uniquingKeysWith: { first, _ in first })

    public var description: String { rawValue }

    public static func == (lhs: SignalFamily, rhs: SignalFamily) -> Bool {
        lhs.rawValue == rhs.rawValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawValue)
    }

    public static func < (lhs: SignalFamily, rhs: SignalFamily) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The engine's own family: a source that keeps failing.
    public static let collectorFailed = SignalFamily(
        "collector_failed", entity: "collector",
        activeWhen: "the collector failed or timed out `WATCHDOG_COLLECTOR_FAILED_AFTER` ticks in a row",
        severity: "warning")
}

extension SignalFamily: Codable {
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let family = SignalFamily(rawValue: name) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown family \(name.prefix(100))"))
        }
        self = family
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
