/// The variables of rules (SPEC §2.3, §9).
extension ConfigVariable {
    static let rules = ConfigVariable(
        "WATCHDOG_RULES", .text, default: "",
        "alert rules on the orchestrator's metrics: name: metric{label=\"v\"} OP number [for DURATION] [severity]; ...")

    /// In the order docs/configuration.md lists them.
    static let rulesVariables: [ConfigVariable] = [.rules]
}
