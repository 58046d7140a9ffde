import FoundationEssentials

/// The variable of cause rules (SPEC §4.2).
extension ConfigVariable {
    static let inhibit = ConfigVariable(
        "WATCHDOG_INHIBIT", .text, default: "",
        "own cause rules, besides the built-in ones: ;-separated SOURCE_MATCHERS -> TARGET_MATCHERS [equal LABEL,...], e.g. alertname=dependency_down,entity=db -> alertname=rule; while an alert the left side takes fires, those the right side takes are held behind it and named in its message; a rule that could hold its own cause, through itself or others, is refused"
    )

    /// In the order docs/configuration.md lists them.
    static let causeVariables: [ConfigVariable] = [.inhibit]
}

extension ConfigReader {
    /// `WATCHDOG_INHIBIT`'s rules; a bad rule, or rules that form a cycle, are issues
    /// naming the variable.
    mutating func inhibitRules(_ variable: ConfigVariable) -> [InhibitRule] {
        let (rules, problems) = InhibitRuleParser.parse(text(variable))
        for problem in problems { record(ConfigIssue(variable: variable.name, message: problem)) }
        if let cycle = CauseRules.cycle(in: rules) {
            let path = (cycle + [cycle[0]]).joined(separator: " → ")
            record(
                ConfigIssue(
                    variable: variable.name,
                    message:
                        "the rules form a cycle, so alerts on it would hold each other and none be announced: \(path)"))
        }
        return rules
    }
}

extension Configuration {
    /// Which alerts hold which: `WATCHDOG_INHIBIT` and the hosts the built-in causes
    /// match containers against.
    public var causeRules: CauseRules {
        CauseRules(
            rules: inhibit,
            dependencyHosts: Dictionary(dependencies.map { ($0.name, $0.host) }) { first, _ in first },
            orchestratorHost: orchestratorURL.flatMap { URLComponents(string: $0.value)?.host?.lowercased() })
    }
}
