/// A source feature (SPEC §2.3, §3): one folder under `Features/` holding its variables,
/// the parsing of its settings, its sources, its families and its texts, listed once
/// in `FeatureCatalog.all`. Everything else that names features (the list of
/// variables, the configuration, the sources a tick runs, the known families, the
/// README's tables, `.env.example`) is derived from that list.
public protocol SourceFeature: Sendable {
    /// What the feature read from the environment; how "off" looks is its own business.
    associatedtype Settings: Sendable

    /// Its variables, in the order the README lists them.
    static var variables: [ConfigVariable] { get }
    /// The families its sources report, in the order the README lists them.
    static var families: [SignalFamily] { get }
    /// Reads the settings. Every problem is recorded in the reader, naming its variable;
    /// the value returned then does not matter, since the configuration is refused.
    static func read(_ reader: inout ConfigReader) -> Settings
    /// The sources these settings ask for; none when the feature is off.
    static func sources(_ settings: Settings, context: SourceContext) -> [any Source]
}

/// What a feature's sources are built with besides its own settings.
public struct SourceContext: Sendable {
    /// The whole configuration: the core's timeouts, and what other features read (the
    /// process scan reads host memory's `WATCHDOG_PROC_ROOT`).
    public let configuration: Configuration
    public let texts: Texts
    /// Where the HTTP endpoint records pings; nil without one (`once`), when heartbeats
    /// are judged from the saved last-seen times alone.
    public let heartbeatBoard: HeartbeatBoard?
}

/// The settings of every feature, by feature: `configuration.features[EC2Feature.self]`.
/// Each feature's folder gives its settings a named accessor on `Configuration`.
public struct FeatureSettings: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public subscript<Feature: SourceFeature>(_ feature: Feature.Type) -> Feature.Settings {
        get {
            guard let value = values[ObjectIdentifier(feature)] as? Feature.Settings else {
                preconditionFailure("\(feature) is not in FeatureCatalog.all")
            }
            return value
        }
        set { values[ObjectIdentifier(feature)] = newValue }
    }
}

extension SourceFeature {
    /// Reads this feature's settings into `settings`.
    static func read(into settings: inout FeatureSettings, from reader: inout ConfigReader) {
        settings[Self.self] = read(&reader)
    }

    /// The sources the configuration's settings of this feature ask for.
    static func sources(context: SourceContext) -> [any Source] {
        sources(context.configuration.features[Self.self], context: context)
    }
}
