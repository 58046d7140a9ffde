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

    /// The order of `description`, compared byte by byte without building it: a tick
    /// sorts its keys, and building two strings per comparison was most of a tick's
    /// sorting (BENCHMARKS.md, issue 36's profile). UTF-8 keeps the order of code points.
    public static func < (lhs: SignalKey, rhs: SignalKey) -> Bool {
        var left = lhs.descriptionBytes
        var right = rhs.descriptionBytes
        while true {
            switch (left.next(), right.next()) {
            case (let a?, let b?):
                if a != b { return a < b }
            case (nil, _?):
                return true
            default:
                return false
            }
        }
    }

    private var descriptionBytes: DescriptionBytes {
        DescriptionBytes(family: family.rawValue.utf8.makeIterator(), entity: entity?.utf8.makeIterator())
    }

    /// The bytes of `description`: the family, then `:` and the entity when there is one.
    private struct DescriptionBytes: IteratorProtocol {
        var family: String.UTF8View.Iterator
        var entity: String.UTF8View.Iterator?
        var separatorDone = false

        mutating func next() -> UInt8? {
            if let byte = family.next() { return byte }
            guard entity != nil else { return nil }
            guard separatorDone else {
                separatorDone = true
                return UInt8(ascii: ":")
            }
            return entity!.next()
        }
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
