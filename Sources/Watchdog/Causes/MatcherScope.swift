import Notify

/// Which alerts a matcher list could take, as far as can be told without the alerts:
/// the families it leaves possible, the exact keys it names, and its other label
/// matchers. Two scopes overlap unless they contradict each other; the cycle check of
/// the cause rules (SPEC §4.2) asks this, and must not refuse rules that can never hold
/// each other, nor miss rules that can.
struct MatcherScope: Sendable, Equatable {
    /// The families an alert taken could be of.
    var families: Set<String>
    /// The keys named exactly (no glob); nil when the list takes keys by other means.
    var exactKeys: Set<String>?
    /// Label matchers other than on `alertname` and `key`.
    var labels: [LabelMatcher]

    init(families: Set<String>, exactKeys: Set<String>? = nil, labels: [LabelMatcher] = []) {
        self.families = families
        self.exactKeys = exactKeys
        self.labels = labels
    }

    /// The scope of a matcher list's text, as `MatcherList.parse` reads it (call it only
    /// on text that parsed).
    init(_ text: String) {
        let all = Set(SignalFamily.allCases.map(\.rawValue))
        var keyFamilies: Set<String>?
        var exact: Set<String>? = []
        var labels: [LabelMatcher] = []
        var families = all
        for item in MatcherList.split(text) {
            if item == "*" {
                keyFamilies = all
                exact = nil
            } else if MatcherList.isLabelMatcher(item), let matcher = try? LabelMatcher(parsing: item) {
                switch matcher.name {
                case "alertname":
                    families = families.filter { CompiledMatcher(matcher).matches(["alertname": $0]) }
                case "key":
                    // A regular expression over keys: which families it allows is not
                    // worked out; any may be.
                    if matcher.op == .equal {
                        let family = String(matcher.value.prefix { $0 != ":" })
                        families = families.filter { $0 == family }
                        exact = exact.map { _ in [matcher.value] }
                    }
                default:
                    labels.append(matcher)
                }
            } else if let key = SignalKey(parsing: item) {
                if keyFamilies != all {
                    keyFamilies = (keyFamilies ?? []).union([key.family.rawValue])
                }
                let glob = key.entity.map { $0.contains { "*?".contains($0) } } ?? true
                if glob { exact = nil } else { exact?.insert(key.description) }
            }
        }
        if let keyFamilies { families.formIntersection(keyFamilies) }
        // Only named keys make a list of exact keys.
        if exact?.isEmpty == true { exact = nil }
        self.init(families: families, exactKeys: exact, labels: labels)
        narrowBySeverity()
    }

    /// A family whose severity is fixed (SPEC §3) is out when a severity matcher refuses it.
    mutating func narrowBySeverity() {
        let severities = labels.filter { $0.name == "severity" }.map(CompiledMatcher.init)
        guard !severities.isEmpty else { return }
        let fixed = Dictionary(SignalFamily.allCases.map { ($0.rawValue, $0.severity) }) { first, _ in first }
        families = families.filter { family in
            guard let severity = fixed[family], severity == "critical" || severity == "warning" else { return true }
            return severities.allSatisfy { $0.matches(["severity": severity]) }
        }
    }

    /// Whether one alert could be taken by both.
    func overlaps(_ other: MatcherScope) -> Bool {
        guard !families.isDisjoint(with: other.families) else { return false }
        if let mine = exactKeys, let theirs = other.exactKeys, mine.isDisjoint(with: theirs) { return false }
        for matcher in labels {
            for theirs in other.labels where theirs.name == matcher.name {
                if Self.contradict(matcher, theirs) { return false }
            }
        }
        // A named key against an entity the other side requires.
        for (keys, entities) in [(exactKeys, other.labels), (other.exactKeys, labels)] {
            guard let keys else { continue }
            for matcher in entities where matcher.name == "entity" {
                let compiled = CompiledMatcher(matcher)
                let possible = keys.contains { key in
                    compiled.matches(["entity": SignalKey(parsing: key)?.entity ?? ""])
                }
                if !possible { return false }
            }
        }
        return true
    }

    /// Two matchers on one label that no value satisfies together. Only an equality
    /// decides it; two regular expressions are taken to overlap.
    static func contradict(_ first: LabelMatcher, _ second: LabelMatcher) -> Bool {
        for (fixed, other) in [(first, second), (second, first)] where fixed.op == .equal {
            return !CompiledMatcher(other).matches([other.name: fixed.value])
        }
        return false
    }
}
