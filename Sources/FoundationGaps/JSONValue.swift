import FoundationEssentials

/// A JSON document of any shape, for the bodies whose shape is not fixed: the Bot API's
/// and Slack's answers, the payloads built key by key, a log line's fields. It stands in
/// for `JSONSerialization`, which lives in full Foundation (and so drags ICU into the
/// binary); decoding and encoding go through `JSONDecoder` and `JSONEncoder` of
/// FoundationEssentials, so the limits and the escaping are theirs.
///
/// Bodies of a known shape (Docker's inspect and list, the state file) are `Codable`
/// structs instead: they skip what they do not need without building it.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without a fraction or exponent that fits in 64 bits: ids,
    /// counts and nanosecond times stay exact.
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `bytes`; nil when they are not one JSON document.
    public static func parse(_ bytes: some Sequence<UInt8>) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The document as compact UTF-8 JSON with its object keys sorted, so the same value
    /// is always the same bytes (tests and merges compare them).
    public var encoded: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a tree of these cannot fail: every case is a plain JSON value, and a
        // non-finite double is written as null by `encode(to:)`.
        return (try? Array(encoder.encode(self))) ?? Array("null".utf8)
    }

    public var encodedString: String { String(decoding: encoded, as: UTF8.self) }

    /// The member `key` of an object; nil for anything else or a missing key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { members } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { items } else { nil }
    }

    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// An integer, or a double with no fraction that fits (`5.0` is 5).
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): value
        case .double(let value): Int64(exactly: value)
        default: nil
        }
    }

    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// A number written the way JSON wrote it (an id: `-1001234567890`), or nil.
    public var numberText: String? {
        switch self {
        case .integer(let value): String(value)
        case .double(let value): Int64(exactly: value).map(String.init) ?? String(value)
        default: nil
        }
    }

    /// An object of strings (labels): members whose value is not a string are left out.
    public var stringMembers: [String: String] {
        guard case .object(let members) = self else { return [:] }
        return members.compactMapValues(\.stringValue)
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Cheapest questions first: a wrong guess costs a thrown DecodingError.
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let members = try? container.decode([String: JSONValue].self) {
            self = .object(members)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else {
            self = .double(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .double(let value):
            if value.isFinite { try container.encode(value) } else { try container.encodeNil() }
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object(let members): try container.encode(members)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        // A repeated key keeps its last value, as JSON readers do.
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue {
    /// Wrappers for values built from variables rather than literals.
    public init(_ text: String) { self = .string(text) }
    public init(_ value: Bool) { self = .bool(value) }
    public init(_ value: Int) { self = .integer(Int64(value)) }
    public init(_ value: Int64) { self = .integer(value) }
    public init(_ members: [String: String]) { self = .object(members.mapValues(JSONValue.string)) }
    public init(_ items: [String]) { self = .array(items.map(JSONValue.string)) }
}
