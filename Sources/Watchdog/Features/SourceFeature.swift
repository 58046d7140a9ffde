/// A source feature (SPEC §2.3, §3): one folder under `Features/` holding its variables,
/// the parsing of its settings, its sources, its families and its texts, listed once
/// in `FeatureCatalog.all`. Everything else that names features (the list of
/// variables, the configuration, the sources a tick runs, the known families, the
/// tables of docs/, `.env.example`) is derived from that list.
public protocol SourceFeature: EnvironmentConfigured {
    /// The families its sources report, in the order docs/configuration.md lists them.
    static var families: [SignalFamily] { get }
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
    /// The process's monotonic clock, for what a source times between ticks (the
    /// container events follower's grace and backoff).
    public let clock: any Clock<Duration>
}

extension SourceFeature {
    /// The sources the configuration's settings of this feature ask for.
    static func sources(context: SourceContext) -> [any Source] {
        sources(context.configuration.features[Self.self], context: context)
    }
}
