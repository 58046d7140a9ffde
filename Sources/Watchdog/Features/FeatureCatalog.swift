/// The one list of source features (CONTRIBUTING.md: adding a source). The docs
/// (configuration.md, signals.md) list their variables and families in this order.
public enum FeatureCatalog {
    public static let all: [any SourceFeature.Type] = [
        HostMemoryFeature.self,
        DiskFeature.self,
        OrchestratorFeature.self,
        ContainersFeature.self,
        DependenciesFeature.self,
        ProcessesFeature.self,
        EC2Feature.self,
        HeartbeatsFeature.self,
    ]

    /// Every known family: host checks first, the engine's `collector_failed`, then the
    /// other features' (the docs' order).
    static let families: [SignalFamily] = {
        let features = all.map { $0.families }
        return features.prefix(2).flatMap { $0 } + [.collectorFailed] + features.dropFirst(2).flatMap { $0 }
    }()

    /// Every feature's variables, in the docs' order.
    static let variables: [ConfigVariable] = all.flatMap { $0.variables }

    /// The sources a configuration asks for, feature by feature; `clock` is the process's
    /// monotonic clock.
    public static func sources(
        for configuration: Configuration, heartbeatBoard: HeartbeatBoard? = nil, clock: any Clock<Duration>
    ) -> [any Source] {
        let context = SourceContext(
            configuration: configuration, texts: Texts(configuration.language), heartbeatBoard: heartbeatBoard,
            clock: clock)
        return all.flatMap { $0.sources(context: context) }
    }
}
