import Notify

/// One cause rule: while an alert its `source` matchers take fires, the alerts its
/// `target` matchers take are held behind it (SPEC §4.2), when the labels named in
/// `equal` are the same on both, as in Alertmanager's `inhibit_rules`.
///
/// The built-in causes of §4.2 are rules too (`CauseRules.builtIn`); those of
/// `WATCHDOG_INHIBIT` come after them.
public struct InhibitRule: Sendable, Equatable {
    /// The matchers of each side, as a silence holds them (`MatcherList`).
    public let source: [LabelMatcher]
    public let target: [LabelMatcher]
    /// Labels that must have one value on the cause and the effect (a missing label is
    /// empty on both, as in Alertmanager).
    public let equal: [String]
    /// Which alerts each side can take, for the cycle check.
    let sourceScope: MatcherScope
    let targetScope: MatcherScope
    /// How the rule is named in errors: `WATCHDOG_INHIBIT rule 2 (a -> b)`, or the
    /// built-in cause it is.
    let name: String
    let isBuiltIn: Bool
}

/// Reads `WATCHDOG_INHIBIT`: `;`-separated `SOURCE_MATCHERS -> TARGET_MATCHERS [equal
/// LABEL,...]`, each side a matcher list as routes and maintenance windows write it.
/// Bounded: a rule's text, the number of rules and of `equal` labels.
enum InhibitRuleParser {
    static let maximumRules = 50
    static let maximumRuleBytes = 2_000
    static let maximumEqualLabels = 10

    /// The rules, and a problem per entry that is not one (naming the entry by its place).
    static func parse(_ text: String) -> (rules: [InhibitRule], problems: [String]) {
        let entries = split(text, on: ";").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard entries.count <= maximumRules else {
            return ([], ["\(entries.count) rules; at most \(maximumRules)"])
        }
        var rules: [InhibitRule] = []
        var problems: [String] = []
        for (index, entry) in entries.enumerated() {
            do {
                rules.append(try rule(entry, number: index + 1))
            } catch {
                problems.append("rule \(index + 1) (\(shown(entry))): \(error.reason)")
            }
        }
        return (rules, problems)
    }

    static func rule(_ entry: String, number: Int) throws(SilenceError) -> InhibitRule {
        guard entry.utf8.count <= maximumRuleBytes else {
            throw SilenceError("over \(maximumRuleBytes) bytes")
        }
        let sides = split(entry, on: "->")
        guard sides.count == 2 else {
            throw SilenceError(
                sides.count < 2
                    ? "no -> between the cause's matchers and the effects'"
                    : "more than one ->; separate rules with ;")
        }
        var targetText = sides[1]
        var equal: [String] = []
        if let range = lastWord("equal", in: targetText) {
            let labels = targetText[range.upperBound...].split(separator: ",").map { $0.trimmingSpaces() }
            targetText = String(targetText[..<range.lowerBound])
            guard !labels.isEmpty, !labels.contains(where: \.isEmpty) else {
                throw SilenceError("equal names no label")
            }
            guard labels.count <= maximumEqualLabels else {
                throw SilenceError("equal names \(labels.count) labels; at most \(maximumEqualLabels)")
            }
            for label in labels where !LabelMatcher.isLabelName(label) {
                throw SilenceError("equal: \"\(label.prefix(40))\" is not a label name")
            }
            equal = labels
        }
        let source: [LabelMatcher]
        let target: [LabelMatcher]
        do {
            source = try MatcherList.parse(sides[0])
        } catch {
            throw SilenceError("the cause's matchers: \(error.reason)")
        }
        do {
            target = try MatcherList.parse(targetText)
        } catch {
            throw SilenceError("the effects' matchers: \(error.reason)")
        }
        return InhibitRule(
            source: source, target: target, equal: equal, sourceScope: MatcherScope(sides[0]),
            targetScope: MatcherScope(targetText), name: "rule \(number) (\(shown(entry)))", isBuiltIn: false)
    }

    /// An entry as errors show it: on one line, cut short.
    static func shown(_ entry: String) -> String {
        let line = entry.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > 80 ? line.prefix(79) + "…" : line
    }

    /// Splits on `separator` outside quotes (a regular expression may hold `;` or `->`
    /// inside a quoted value).
    static func split(_ text: String, on separator: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var rest = Substring(text)
        while let character = rest.first {
            if !quoted, !escaped, rest.hasPrefix(separator) {
                parts.append(current)
                current = ""
                rest = rest.dropFirst(separator.count)
                continue
            }
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            }
            current.append(character)
            rest = rest.dropFirst()
        }
        parts.append(current)
        return parts
    }

    /// The last ` word ` standing alone outside quotes: `equal` ends a rule's target.
    static func lastWord(_ word: String, in text: String) -> Range<String.Index>? {
        var found: Range<String.Index>?
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\"" { quoted.toggle() }
            if !quoted, text[index...].hasPrefix(word),
                index == text.startIndex || text[text.index(before: index)].isWhitespace
            {
                let end = text.index(index, offsetBy: word.count)
                if end == text.endIndex || text[end].isWhitespace { found = index..<end }
            }
            index = text.index(after: index)
        }
        return found
    }
}
