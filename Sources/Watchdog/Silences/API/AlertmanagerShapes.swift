import FoundationEssentials

/// The JSON shapes of Alertmanager's API v2 (`api/v2/openapi.yaml`) that the watchdog
/// speaks, so `amtool` and other Alertmanager clients work against it.
enum AlertmanagerShapes {
    struct Matcher: Codable, Equatable {
        var name: String
        var value: String
        var isRegex: Bool
        /// Absent in clients older than Alertmanager 0.22: then it is `=` or `=~`.
        var isEqual: Bool?

        init(_ matcher: LabelMatcher) {
            name = matcher.name
            value = matcher.value
            isRegex = matcher.op.isRegex
            isEqual = !matcher.op.isNegative
        }

        func labelMatcher() throws(SilenceError) -> LabelMatcher {
            let op: LabelMatcher.Operator =
                switch (isRegex, isEqual ?? true) {
                case (false, true): .equal
                case (false, false): .notEqual
                case (true, true): .matchesRegex
                case (true, false): .notMatchesRegex
                }
            return try LabelMatcher(name: name, op: op, value: value)
        }
    }

    struct SilenceStatus: Codable, Equatable {
        var state: String
    }

    struct GettableSilence: Codable, Equatable {
        var id: String
        var status: SilenceStatus
        var updatedAt: String
        var matchers: [Matcher]
        var startsAt: String
        var endsAt: String
        var createdBy: String
        var comment: String
    }

    /// What `POST /api/v2/silences` takes. Every field optional here, so a missing one is
    /// a 400 with its name rather than a decoding error.
    struct PostableSilence: Decodable {
        var id: String?
        var matchers: [Matcher]?
        var startsAt: String?
        var endsAt: String?
        var createdBy: String?
        var comment: String?
    }

    struct Receiver: Codable, Equatable {
        var name: String
    }

    struct AlertStatus: Codable, Equatable {
        var state: String
        var silencedBy: [String]
        var inhibitedBy: [String]
        var mutedBy: [String]
    }

    struct GettableAlert: Codable, Equatable {
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String
        var updatedAt: String
        var fingerprint: String
        var receivers: [Receiver]
        var status: AlertStatus
        var generatorURL: String
    }

    /// A standing silence has no end; the API needs one, so it shows the last day there is.
    static let noEnd = "9999-12-31T23:59:59.000Z"

    static func gettable(_ silence: Silence, now: Date) -> GettableSilence {
        GettableSilence(
            id: silence.id, status: SilenceStatus(state: silence.state(at: now).rawValue),
            updatedAt: RFC3339.format(silence.updatedAt), matchers: silence.matchers.map(Matcher.init),
            startsAt: RFC3339.format(silence.startsAt), endsAt: silence.endsAt.map(RFC3339.format) ?? noEnd,
            createdBy: silence.createdBy, comment: silence.comment)
    }
}

extension LabelMatcher {
    /// A matcher as Alertmanager's clients write one in a `filter` parameter:
    /// `name="value"`, `name=~"re"`, `name!=value`, `name!~re`; quotes optional.
    public init(parsing text: String) throws(SilenceError) {
        let trimmed = text.trimmingSpaces()
        guard let start = trimmed.firstIndex(where: { $0 == "=" || $0 == "!" }) else {
            throw SilenceError("matcher \"\(trimmed.prefix(80))\" has no operator (=, !=, =~, !~)")
        }
        let name = String(trimmed[..<start]).trimmingSpaces()
        let rest = trimmed[start...]
        let op =
            LabelMatcher.Operator.allCases.sorted { $0.rawValue.count > $1.rawValue.count }
            .first { rest.hasPrefix($0.rawValue) }
        guard let op else { throw SilenceError("matcher \"\(trimmed.prefix(80))\" has no operator (=, !=, =~, !~)") }
        var value = String(rest.dropFirst(op.rawValue.count)).trimmingSpaces()
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = Self.unquoted(value.dropFirst().dropLast())
        }
        try self.init(name: name, op: op, value: value)
    }

    private static func unquoted(_ text: Substring) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
