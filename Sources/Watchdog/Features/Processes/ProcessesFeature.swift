import Collectors

/// Long-lived processes (SPEC §10.4): off unless `WATCHDOG_PROC_ENABLED`; off means the
/// process table is not even read.
public enum ProcessesFeature: SourceFeature {
    public struct Settings: Sendable {
        /// nil: the scan is off.
        public var scan: ProcessSettings?
        /// nil: never repeat.
        public var cooldown: Duration?
    }

    public static let variables = ConfigVariable.processesVariables
    public static let families: [SignalFamily] = [.procBlocking]

    public static func read(_ reader: inout ConfigReader) -> Settings {
        let cooldown = reader.duration(.processCooldownSeconds)
        return Settings(scan: readScan(&reader), cooldown: cooldown == .zero ? nil : cooldown)
    }

    /// The scan's settings when `WATCHDOG_PROC_ENABLED`; patterns are checked either way.
    static func readScan(_ reader: inout ConfigReader) -> ProcessSettings? {
        let enabled = reader.flag(.processEnabled)
        let texts = reader.list(.processPatterns)
        let minimumAge = reader.duration(.processAgeMinutes)
        let patterns: CommandPatterns
        do {
            patterns = try CommandPatterns(texts)
        } catch {
            reader.record(.init(variable: ConfigVariable.processPatterns.name, message: error.message))
            return nil
        }
        if enabled, texts.isEmpty {
            reader.record(
                .init(
                    variable: ConfigVariable.processPatterns.name,
                    message: "needs at least one pattern when WATCHDOG_PROC_ENABLED is true"))
        }
        return enabled ? ProcessSettings(patterns: patterns, minimumAge: minimumAge) : nil
    }

    public static func sources(_ settings: Settings, context: SourceContext) -> [any Source] {
        guard let scan = settings.scan else { return [] }
        return [ProcessSource(procRoot: context.configuration.procRoot, settings: scan, texts: context.texts)]
    }
}

extension SignalFamily {
    public static let procBlocking = SignalFamily(
        "proc_blocking", entity: "pid@starttime", activeWhen: "a matching process lived longer than `PROC_AGE_MIN`",
        severity: "warning")
}

extension Configuration {
    public var processes: ProcessSettings? { features[ProcessesFeature.self].scan }
    public var processCooldown: Duration? { features[ProcessesFeature.self].cooldown }
}
