import FoundationEssentials

/// The variables of history, reports and the status page (SPEC §14).
extension ConfigVariable {
    static let historyFile = ConfigVariable(
        "WATCHDOG_HISTORY_FILE", .text, default: "",
        documented: "beside the state file: <state file>.history.jsonl (no state file: in memory)",
        "the incident log: one JSON line each time an incident opens, is acknowledged, escalated, silenced, held by a cause or resolved (the README shows a line)"
    )
    static let historyKeep = ConfigVariable(
        "WATCHDOG_HISTORY_KEEP", .duration(minimum: .seconds(3600)), default: "30d",
        "how long resolved incidents are kept (at most 10,000 whatever their age); the log is compacted at start and once a day"
    )
    static let report = ConfigVariable(
        "WATCHDOG_REPORT", .text, default: "",
        "scheduled summaries to every channel, routed as a warning: ;-separated DAYS HH:MM [ZONE], e.g. mon-fri 09:00 Europe/Berlin; each is sent once, a restart neither repeats nor skips one, one missed while the watchdog was down is sent late saying so"
    )
    static let statusPage = ConfigVariable(
        "WATCHDOG_STATUS_PAGE", .flag, default: "true",
        "serve the status page at GET / of WATCHDOG_LISTEN: what fires now, silences in force, 24-hour and 7-day timelines"
    )

    /// In the order docs/configuration.md lists them.
    static let historyVariables: [ConfigVariable] = [.historyFile, .historyKeep, .report, .statusPage]
}

extension ConfigReader {
    /// `WATCHDOG_REPORT`'s times; a bad entry is an issue naming the variable and the entry.
    mutating func reportSchedule(_ variable: ConfigVariable) -> ReportSchedule {
        let (schedule, problems) = ReportSchedule.parse(
            text(variable), zoneDirectory: ZoneRules.directory(environment: environment.values))
        for problem in problems { record(ConfigIssue(variable: variable.name, message: problem)) }
        return schedule
    }
}

extension Configuration {
    /// Where the incident log is written: `WATCHDOG_HISTORY_FILE`, else beside the state
    /// file; nil (in memory) without either.
    public var historyPath: String? {
        if let historyFile { return historyFile }
        return stateFile.map { "\($0).history.jsonl" }
    }
}
