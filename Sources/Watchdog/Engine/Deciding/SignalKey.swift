/// Identifies one alert: a family plus an entity (`container_down:db`), or a family
/// alone (`host_memory`). Written and parsed as text, the form operators use in
/// `WATCHDOG_MUTE` and see in `/alerts`.
public struct SignalKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let family: SignalFamily
    public let entity: String?

    public init(_ family: SignalFamily, _ entity: String? = nil) {
        self.family = family
        self.entity = entity
    }

    public var description: String {
        entity.map { "\(family.rawValue):\($0)" } ?? family.rawValue
    }

    /// Parses `family` or `family:entity`; nil when the family is unknown.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let family = SignalFamily(rawValue: String(parts[0])) else { return nil }
        self.init(family, parts.count > 1 ? String(parts[1]) : nil)
    }

    /// The order of `description`, without building it: a tick sorts its keys, and two
    /// strings built per comparison were most of a tick's sorting (BENCHMARKS.md, issue
    /// 36's profile). Keys of one family order as their entities (none first, as `family`
    /// is a prefix of `family:entity`); of two families as the families, unless one
    /// family's name begins the other's, when the descriptions decide.
    public static func < (lhs: SignalKey, rhs: SignalKey) -> Bool {
        if lhs.family == rhs.family {
            guard let right = rhs.entity else { return false }
            guard let left = lhs.entity else { return true }
            return left < right
        }
        let left = lhs.family.rawValue
        let right = rhs.family.rawValue
        if left.hasPrefix(right) || right.hasPrefix(left) { return lhs.description < rhs.description }
        return left < right
    }
}

extension SignalKey: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = SignalKey(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown family in \(text)"))
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension SignalKey: CodingKeyRepresentable {
    public var codingKey: any CodingKey { Key(stringValue: description) }

    public init?<T: CodingKey>(codingKey: T) {
        self.init(parsing: codingKey.stringValue)
    }

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
