import Collectors
import FoundationEssentials
import Notify

/// One `WATCHDOG_RULES` entry (SPEC §9.3):
/// `name: metric{label="v",...} OP number [for DURATION] [severity]`.
public struct Rule: Sendable, Equatable {
    public enum Comparison: String, Sendable, CaseIterable {
        case greaterOrEqual = ">="
        case lessOrEqual = "<="
        case equal = "=="
        case notEqual = "!="
        case greater = ">"
        case less = "<"

        func holds(_ value: Double, _ threshold: Double) -> Bool {
            guard !value.isNaN else { return false }
            switch self {
            case .greater: return value > threshold
            case .greaterOrEqual: return value >= threshold
            case .less: return value < threshold
            case .lessOrEqual: return value <= threshold
            case .equal: return value == threshold
            case .notEqual: return value != threshold
            }
        }
    }

    public let name: String
    public let metric: String
    /// Labels the series must carry with exactly these values.
    public let matchers: [String: String]
    public let comparison: Comparison
    public let threshold: Double
    /// The condition must hold this long before the rule fires.
    public let holdFor: Duration?
    public let severity: Severity

    /// Parses the `;`-separated list; the error names the rule and what is wrong.
    public static func parseList(_ text: String) throws(CollectorError) -> [Rule] {
        var rules: [Rule] = []
        for entry in text.split(separator: ";").map({ $0.trimmingSpaces() }) where !entry.isEmpty {
            let rule = try parse(entry)
            guard !rules.contains(where: { $0.name == rule.name }) else {
                throw CollectorError("rule \(rule.name) is defined twice")
            }
            rules.append(rule)
        }
        return rules
    }

    static func parse(_ entry: String) throws(CollectorError) -> Rule {
        guard let colon = entry.firstIndex(of: ":") else {
            throw CollectorError("rule \"\(entry.prefix(40))\" has no \"name:\"")
        }
        let name = entry[..<colon].trimmingSpaces()
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) })
        else {
            throw CollectorError("rule name \"\(name.prefix(40))\" may only use letters, digits, _ - .")
        }
        let body = entry[entry.index(after: colon)...]
        guard let (comparison, range) = findComparison(body) else {
            throw CollectorError("rule \(name): no comparison (one of > >= < <= == !=)")
        }
        let (metric, matchers) = try parseSelector(body[..<range.lowerBound].trimmingSpaces(), rule: name)
        let words = body[range.upperBound...].split(separator: " ").map(String.init)
        guard let first = words.first, let threshold = Double(first), threshold.isFinite else {
            throw CollectorError("rule \(name): the comparison needs a number")
        }
        var rest = words.dropFirst()
        var holdFor: Duration?
        if rest.first == "for" {
            guard rest.count >= 2,
                let duration = ConfigValueParser.duration(rest[rest.startIndex + 1], bareUnitSeconds: 1)
            else {
                throw CollectorError("rule \(name): \"for\" needs a duration such as 5m")
            }
            holdFor = duration
            rest = rest.dropFirst(2)
        }
        var severity = Severity.warning
        if let word = rest.first {
            guard let parsed = Severity(rawValue: word.lowercased()) else {
                throw CollectorError("rule \(name): unknown severity \(word.prefix(20)) (warning or critical)")
            }
            severity = parsed
            rest = rest.dropFirst()
        }
        guard rest.isEmpty else {
            throw CollectorError("rule \(name): unexpected \(rest.joined(separator: " ").prefix(40))")
        }
        return Rule(
            name: name, metric: metric, matchers: matchers, comparison: comparison, threshold: threshold,
            holdFor: holdFor, severity: severity)
    }

    /// The first comparison operator outside quotes; two-character ones win.
    static func findComparison(_ text: Substring) -> (Comparison, Range<Substring.Index>)? {
        var inQuotes = false
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\"" { inQuotes.toggle() }
            if !inQuotes {
                for comparison in Comparison.allCases where text[index...].hasPrefix(comparison.rawValue) {
                    return (comparison, index..<text.index(index, offsetBy: comparison.rawValue.count))
                }
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// `metric` or `metric{a="b",c="d"}`; metric names may contain `.` for the JSON
    /// envelope's `queue.counts.<state>`.
    static func parseSelector(_ text: String, rule: String) throws(CollectorError) -> (String, [String: String]) {
        let metric = String(text.prefix { $0.isLetter || $0.isNumber || "_:.".contains($0) })
        guard !metric.isEmpty else { throw CollectorError("rule \(rule): no metric name") }
        var rest = text.dropFirst(metric.count).trimmingSpaces()
        guard !rest.isEmpty else { return (metric, [:]) }
        guard rest.hasPrefix("{"), rest.hasSuffix("}") else {
            throw CollectorError("rule \(rule): labels must be written {name=\"value\",...}")
        }
        rest = String(rest.dropFirst().dropLast())
        var matchers: [String: String] = [:]
        for pair in rest.split(separator: ",").map({ $0.trimmingSpaces() }) where !pair.isEmpty {
            guard let equals = pair.firstIndex(of: "=") else {
                throw CollectorError("rule \(rule): label \(pair.prefix(30)) needs =\"value\"")
            }
            let label = pair[..<equals].trimmingSpaces()
            let quoted = pair[pair.index(after: equals)...].trimmingSpaces()
            guard quoted.count >= 2, quoted.hasPrefix("\""), quoted.hasSuffix("\"") else {
                throw CollectorError("rule \(rule): the value of label \(label.prefix(30)) must be quoted")
            }
            matchers[label] = String(quoted.dropFirst().dropLast())
        }
        return (metric, matchers)
    }

    func matches(_ sample: PrometheusSample) -> Bool {
        sample.name == metric && matchers.allSatisfy { sample.label($0.key) == $0.value }
    }

    /// The entity of a series' key: `name{a="b",...}` with the series' own labels.
    func entity(for sample: PrometheusSample) -> String {
        let labels = sample.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
        return labels.isEmpty ? name : "\(name){\(labels)}"
    }
}

extension Rule {
    /// Evaluates every rule on every matching series. `activeSince` remembers when each
    /// series' condition started to hold, for `for`; series that no longer hold, or are
    /// gone, are forgotten. Pure.
    static func evaluate(
        _ rules: [Rule], on samples: [PrometheusSample], activeSince: inout [String: Date], now: Date, texts: Texts
    ) -> [Signal] {
        var overLimit: [String] = []
        return evaluate(rules, on: samples, activeSince: &activeSince, now: now, texts: texts, overLimit: &overLimit)
    }

    /// As above; a rule matching more than `SourceLimits.seriesPerRule` series watches
    /// the first ones (in the body's order) and says so in `overLimit`.
    static func evaluate(
        _ rules: [Rule], on samples: [PrometheusSample], activeSince: inout [String: Date], now: Date, texts: Texts,
        overLimit: inout [String]
    ) -> [Signal] {
        var signals: [Signal] = []
        var stillHolding: [String: Date] = [:]
        for rule in rules {
            var matched = 0
            for sample in samples where rule.matches(sample) {
                matched += 1
                guard matched <= SourceLimits.seriesPerRule else { continue }
                let entity = rule.entity(for: sample)
                let holds = rule.comparison.holds(sample.value, rule.threshold)
                var active = false
                if holds {
                    let since = activeSince[entity] ?? now
                    stillHolding[entity] = since
                    active = rule.holdFor.map { now.timeIntervalSince(since) >= $0.seconds } ?? true
                }
                let condition =
                    "\(rule.comparison.rawValue) \(format(rule.threshold))"
                    + (rule.holdFor.map { " for \(DurationFormat.text($0))" } ?? "")
                signals.append(
                    Signal(
                        key: SignalKey(.rule, entity), active: active, severity: rule.severity,
                        title: texts.ruleTitle(rule.name),
                        detail: "\(sample.name) = \(format(sample.value)) (rule: \(condition))"))
            }
            if matched > SourceLimits.seriesPerRule {
                overLimit.append(
                    "rule \(rule.name) matches \(matched) series; the first \(SourceLimits.seriesPerRule) are watched")
            }
        }
        activeSince = stillHolding
        return signals
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
