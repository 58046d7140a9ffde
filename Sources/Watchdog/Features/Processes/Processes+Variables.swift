/// The variables of long-lived processes (SPEC §2.3, §10.4).
extension ConfigVariable {
    static let processEnabled = ConfigVariable(
        "WATCHDOG_PROC_ENABLED", .flag, default: "false",
        "scan WATCHDOG_PROC_ROOT for long-lived matching processes (in compose: needs pid: host)")
    static let processPatterns = ConfigVariable(
        "WATCHDOG_PROC_PATTERNS", .list, default: "pytest",
        "command-line patterns: plain substrings, or re:<regular expression>")
    static let processAgeMinutes = ConfigVariable(
        "WATCHDOG_PROC_AGE_MIN", .duration(minimum: .seconds(1)), default: "60",
        "proc_blocking fires for a matching process older than this (bare number: minutes)")
    static let processCooldownSeconds = ConfigVariable(
        "WATCHDOG_PROC_COOLDOWN_S", .duration(minimum: .zero), default: "1800",
        "repeat interval of a still-running proc_blocking process (bare number: seconds); 0 = never repeat")

    /// In the order docs/configuration.md lists them.
    static let processesVariables: [ConfigVariable] = [
        .processEnabled, .processPatterns, .processAgeMinutes, .processCooldownSeconds,
    ]
}
