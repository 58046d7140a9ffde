import Notify

/// `MATCHER[,MATCHER...]` as routes, maintenance windows and `WATCHDOG_ESCALATE_MATCH`
/// write it (SPEC §4.3): keys (`container_down:db`), families (`dependency_down`), globs
/// over keys (`container_down:web-*`), `*` for everything, and Alertmanager matchers on
/// the labels of §5 (`severity=critical`, `entity!=db`, `alertname=~dependency_.*`).
///
/// The list holds whole, as Alertmanager reads a matcher list, with one reading for the
/// keys: the keys, families and globs of one list are alternatives of one "the key is one
/// of these" matcher (an alert has one key, so requiring two would take nothing), and the
/// label matchers narrow that. `container_down:*,dependency_down` takes both families;
/// `dependency_down,severity=critical` takes the critical dependency alerts.
enum MatcherList {
    /// At most this many items in one list.
    static let maximumItems = 20

    static func parse(_ text: String) throws(SilenceError) -> [LabelMatcher] {
        let items = split(text)
        guard !items.isEmpty else { throw SilenceError("no matcher: name the keys, families or labels it takes") }
        guard items.count <= maximumItems else {
            throw SilenceError("\(items.count) matchers; at most \(maximumItems)")
        }
        var keys: [SignalKey] = []
        var labels: [LabelMatcher] = []
        var everything = false
        for item in items {
            if item == "*" {
                everything = true
            } else if isLabelMatcher(item) {
                labels.append(try LabelMatcher(parsing: item))
            } else if let key = SignalKey(parsing: item) {
                keys.append(key)
            } else {
                let family = String(item.prefix { $0 != ":" })
                let hint = NameSuggestion.closest(to: family, in: SignalFamily.allCases.map(\.rawValue))
                throw SilenceError(
                    "unknown signal family \"\(family.prefix(60))\"\(hint.map { "; did you mean \($0)?" } ?? "")"
                        + " (a matcher is a key, a family, a glob, * or a label matcher such as severity=critical)")
            }
        }
        // `*` wins over any key: every alert has a key, so `.+` takes all of them and,
        // unlike `.*`, does not match the empty string a silence refuses.
        let keyMatcher: LabelMatcher? = everything ? .everything : keys.isEmpty ? nil : .anyOf(keys)
        return (keyMatcher.map { [$0] } ?? []) + labels
    }

    /// Whether an item is `name op value` rather than a key: a label name, then an
    /// operator. A key's family is followed by `:` or nothing, never by `=` or `!`.
    static func isLabelMatcher(_ item: String) -> Bool {
        let name = item.prefix { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        let rest = item.dropFirst(name.count).drop { $0 == " " }
        return !name.isEmpty && (rest.hasPrefix("=") || rest.hasPrefix("!"))
    }

    /// Splits on the commas that separate items: not inside quotes, nor inside the
    /// brackets of a regular expression (`{1,3}`, `[a,b]`, `(a|b)`). Blanks are trimmed
    /// and empty items dropped.
    static func split(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if !quoted {
                switch character {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth = max(0, depth - 1)
                case "," where depth == 0:
                    items.append(current)
                    current = ""
                    continue
                default: break
                }
            }
            current.append(character)
        }
        items.append(current)
        return items.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }
}
