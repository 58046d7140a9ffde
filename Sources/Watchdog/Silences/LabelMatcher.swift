import Collectors

/// One Alertmanager matcher on an alert's labels (SPEC §4.1): `name op value` with
/// `=`, `!=`, `=~`, `!~`. Regular expressions are anchored at both ends, as in
/// Alertmanager, and run in linear time (`LinearRegex`). Keys, families and key globs from `WATCHDOG_MUTE` are matchers too.
public struct LabelMatcher: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Codable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case matchesRegex = "=~"
        case notMatchesRegex = "!~"

        public var isRegex: Bool { self == .matchesRegex || self == .notMatchesRegex }
        public var isNegative: Bool { self == .notEqual || self == .notMatchesRegex }
    }

    public let name: String
    public let op: Operator
    public let value: String

    /// Bounds on what a matcher may hold: its parts come from HTTP bodies and chat lines.
    public static let maximumNameLength = 100
    public static let maximumValueLength = 1_000

    /// Checks the parts; a regex must compile. Throws the reason in words.
    public init(name: String, op: Operator, value: String) throws(SilenceError) {
        guard Self.isLabelName(name) else {
            throw SilenceError("matcher name \"\(name.prefix(40))\" is not a label name")
        }
        guard value.utf8.count <= Self.maximumValueLength else {
            throw SilenceError("matcher \(name) has a value over \(Self.maximumValueLength) bytes")
        }
        if op.isRegex {
            do {
                _ = try LinearRegex(value)
            } catch {
                throw SilenceError(
                    "matcher \(name) has a regular expression that does not parse (\(error.reason)): \(value.prefix(80))"
                )
            }
        }
        self.name = name
        self.op = op
        self.value = value
    }

    /// A label name as Prometheus has them: letters, digits and `_`, not starting with a
    /// digit; bounded.
    static func isLabelName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumNameLength
            && name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
            && !(name.first?.isNumber ?? true)
    }

    /// `WATCHDOG_MUTE`'s entries: `family`, `family:entity`, or `family:glob*`.
    public static func forKey(_ key: SignalKey) -> LabelMatcher {
        guard let entity = key.entity else {
            return LabelMatcher(unchecked: "alertname", .equal, key.family.rawValue)
        }
        guard entity.contains(where: { $0 == "*" || $0 == "?" }) else {
            return LabelMatcher(unchecked: "key", .equal, key.description)
        }
        return LabelMatcher(unchecked: "key", .matchesRegex, globPattern(key.description))
    }

    /// Several `WATCHDOG_MUTE`-style entries as one matcher that any of them satisfies
    /// (a silence's matchers must all match, so alternatives go into one regex on `key`).
    public static func anyOf(_ keys: [SignalKey]) -> LabelMatcher {
        guard keys.count > 1 else { return forKey(keys[0]) }
        let alternatives = keys.map { key -> String in
            let matcher = forKey(key)
            switch (matcher.name, matcher.op) {
            case ("alertname", _): return globPattern(key.family.rawValue) + "(:.*)?"
            case (_, .equal): return globPattern(matcher.value)
            default: return matcher.value
            }
        }
        return LabelMatcher(unchecked: "key", .matchesRegex, alternatives.joined(separator: "|"))
    }

    init(unchecked name: String, _ op: Operator, _ value: String) {
        self.name = name
        self.op = op
        self.value = value
    }

    /// A glob (`*` any run, `?` one character) as an anchored-by-caller regex.
    static func globPattern(_ glob: String) -> String {
        var pattern = ""
        for character in glob {
            switch character {
            case "*": pattern += ".*"
            case "?": pattern += "."
            case "\\", ".", "+", "(", ")", "[", "]", "{", "}", "^", "$", "|": pattern += "\\\(character)"
            default: pattern.append(character)
            }
        }
        return pattern
    }

    public var description: String {
        "\(name)\(op.rawValue)\"\(value)\""
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                name: container.decode(String.self, forKey: .name), op: container.decode(Operator.self, forKey: .op),
                value: container.decode(String.self, forKey: .value))
        } catch let error as SilenceError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.reason))
        }
    }
}

/// A matcher ready to test labels: its regex compiled once.
struct CompiledMatcher {
    let matcher: LabelMatcher
    private let regex: CachedRegex?

    init(_ matcher: LabelMatcher) {
        self.matcher = matcher
        regex = matcher.op.isRegex ? (try? LinearRegex(matcher.value)).map(CachedRegex.init) : nil
    }

    /// A missing label reads as empty, as in Alertmanager.
    func matches(_ labels: [String: String]) -> Bool {
        let value = labels[matcher.name] ?? ""
        switch matcher.op {
        case .equal: return value == matcher.value
        case .notEqual: return value != matcher.value
        case .matchesRegex: return regex?.wholeMatch(value) ?? false
        case .notMatchesRegex: return !(regex?.wholeMatch(value) ?? false)
        }
    }
}

/// Why a silence or a matcher was refused, in words for an API answer or a chat reply.
public struct SilenceError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
