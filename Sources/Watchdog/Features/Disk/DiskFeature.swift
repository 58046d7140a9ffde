/// Disks (SPEC §2.3, §10.1): on by default for `/`; one source per path.
public enum DiskFeature: SourceFeature {
    public struct Settings: Sendable {
        public var paths: [String]
        public var thresholdPercent: Double
    }

    public static let variables = ConfigVariable.diskVariables
    public static let families: [SignalFamily] = [.diskFull]

    public static func read(_ reader: inout ConfigReader) -> Settings {
        let paths = reader.list(.diskPaths)
        if paths.isEmpty {
            reader.record(.init(variable: ConfigVariable.diskPaths.name, message: "needs at least one path"))
        }
        for path in paths where !path.hasPrefix("/") {
            reader.record(
                .init(
                    variable: ConfigVariable.diskPaths.name,
                    message: "\"\(path.prefix(200))\" is not an absolute path"))
        }
        return Settings(paths: paths, thresholdPercent: reader.percent(.diskPercent))
    }

    public static func sources(_ settings: Settings, context: SourceContext) -> [any Source] {
        settings.paths.map { DiskSource(path: $0, thresholdPercent: settings.thresholdPercent, texts: context.texts) }
    }
}

extension SignalFamily {
    public static let diskFull = SignalFamily(
        "disk_full", entity: "path",
        activeWhen: "used % of the filesystem (blocks − available to unprivileged) ≥ `WATCHDOG_DISK_PCT`",
        severity: "critical")
}

extension Configuration {
    public var diskPaths: [String] { features[DiskFeature.self].paths }
    public var diskPercent: Double { features[DiskFeature.self].thresholdPercent }
}
