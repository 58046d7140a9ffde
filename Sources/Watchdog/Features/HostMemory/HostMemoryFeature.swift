/// Host memory (SPEC §2.3, §10.1): on by default, it needs nothing.
public enum HostMemoryFeature: SourceFeature {
    public struct Settings: Sendable {
        public var thresholdPercent: Double
        /// Where meminfo is read, and the process scan's process entries.
        public var procRoot: String
    }

    public static let variables = ConfigVariable.hostMemoryVariables
    public static let families: [SignalFamily] = [.hostMemory]

    public static func read(_ reader: inout ConfigReader) -> Settings {
        let procRoot = reader.string(.procRoot)
        if procRoot.isEmpty {
            reader.record(.init(variable: ConfigVariable.procRoot.name, message: "must not be empty"))
        }
        return Settings(thresholdPercent: reader.percent(.memoryPercent), procRoot: procRoot)
    }

    public static func sources(_ settings: Settings, context: SourceContext) -> [any Source] {
        [
            HostMemorySource(
                procRoot: settings.procRoot, thresholdPercent: settings.thresholdPercent, texts: context.texts)
        ]
    }
}

extension SignalFamily {
    public static let hostMemory = SignalFamily(
        "host_memory", entity: "—", activeWhen: "used % (MemTotal − MemAvailable) ≥ `WATCHDOG_MEM_PCT`",
        severity: "warning")
}

extension Configuration {
    public var memoryPercent: Double { features[HostMemoryFeature.self].thresholdPercent }
    public var procRoot: String { features[HostMemoryFeature.self].procRoot }
}
