/// The variables of the console channel (SPEC §2.2).
extension ConfigVariable {
    static let console = ConfigVariable(
        "WATCHDOG_CONSOLE", .choice(["auto", "true", "false"]), default: "auto",
        "console channel: auto = only when no other channel is configured; true = always too")

    /// In the order docs/configuration.md lists them.
    static let consoleVariables: [ConfigVariable] = [.console]
}
