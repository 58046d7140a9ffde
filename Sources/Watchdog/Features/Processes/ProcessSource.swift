import Collectors
import FoundationEssentials
import Notify

/// What the long-lived process scan looks for.
public struct ProcessSettings: Sendable {
    public let patterns: CommandPatterns
    public let minimumAge: Duration

    public init(patterns: CommandPatterns, minimumAge: Duration) {
        self.patterns = patterns
        self.minimumAge = minimumAge
    }
}

/// `proc_blocking` (SPEC §3, §10.4): a process whose command line matches a pattern has
/// lived longer than `WATCHDOG_PROC_AGE_MIN` — typically a test run orphaned by an agent
/// killed on timeout. Keyed by pid and start time, so a reused pid is a new process;
/// resolved (by synthesized recovery) when the process is gone.
public struct ProcessSource: StatelessSource {
    public let name = "processes"
    public let ownership = KeyOwnership.families([.procBlocking])
    let scanner: ProcessScanner
    let settings: ProcessSettings
    let texts: Texts

    /// Longest command line shown in a message.
    static let shownLength = 200

    public init(procRoot: String, settings: ProcessSettings, texts: Texts) {
        self.scanner = ProcessScanner(root: procRoot)
        self.settings = settings
        self.texts = texts
    }

    public func collect(now: Date) async throws -> ProcessScan {
        try await scanner.collect(patterns: settings.patterns, minimumAge: settings.minimumAge, now: now)
    }

    /// The signals, and what the scan left out over its limits: then the keys of
    /// processes not reported are not known to be gone, and stay as they are.
    public func evaluate(_ reading: ProcessScan, memory: NoMemory?, now: Date) -> SourceEvaluation<NoMemory> {
        var notes: [String] = []
        if reading.leftOut > 0 {
            notes.append(
                "more than \(ProcessScanner.maximumMatched) processes match; the first \(ProcessScanner.maximumMatched)"
                    + " are watched, the rest left out")
        }
        if reading.tableCut {
            notes.append("the process table has more than \(ProcessScanner.entryLimit) entries; the rest are not read")
        }
        return SourceEvaluation(
            signals: signals(from: reading, now: now), memory: nil, unknown: notes.isEmpty ? nil : ownership,
            overLimit: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    public func signals(from reading: ProcessScan, now: Date) -> [Signal] {
        reading.matched.map { process in
            Signal(
                key: SignalKey(.procBlocking, "\(process.pid)@\(process.startTicks)"), active: true,
                severity: .warning, title: texts.processBlockingTitle(name: Self.shown(process.name), pid: process.pid),
                detail: texts.processRunning(
                    pid: process.pid, for: DurationText.format(seconds: process.ageSeconds),
                    commandLine: Self.shown(process.commandLine)))
        }
    }

    /// The command line as a message may show it: control characters escaped (a command
    /// line is attacker-chosen text), cut to 200 characters.
    static func shown(_ commandLine: String) -> String {
        var shown = ""
        var count = 0
        for character in commandLine {
            guard count < shownLength else { return shown + "…" }
            if character.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control }) {
                shown.append(character)
            } else {
                shown += character.unicodeScalars.map { "\\u{\(String($0.value, radix: 16))}" }.joined()
            }
            count += 1
        }
        return shown
    }
}
