import Collectors

/// Containers through the Docker API (SPEC §10.2): on when names or a compose project
/// are given, or with `auto` when the watchdog runs in a compose project.
public enum ContainersFeature: SourceFeature {
    public struct Settings: Sendable {
        public var dockerSocket: String
        public var names: [String]
        /// nil: none; "auto": the watchdog's own project.
        public var composeProject: String?
        public var grace: Duration
        public var restartLoop: ContainerSource.RestartLoop
        /// Log lines in the alert of a stopped container; 0: none.
        public var logLines: Int
    }

    public static let variables = ConfigVariable.containersVariables
    public static let families: [SignalFamily] = [
        .containerDown, .containerUnhealthy, .containerRestarts, .dockerUnreachable,
    ]

    public static func read(_ reader: inout ConfigReader) -> Settings {
        let project = reader.string(.composeProject)
        return Settings(
            dockerSocket: reader.string(.dockerSocket), names: reader.list(.containers),
            composeProject: project.isEmpty ? nil : project, grace: reader.duration(.containerGrace),
            restartLoop: readRestartLoop(&reader), logLines: reader.count(.containerLogLines))
    }

    /// `COUNT` (within 10 minutes) or `COUNT/WINDOW`, e.g. `3/10m`.
    static func readRestartLoop(_ reader: inout ConfigReader) -> ContainerSource.RestartLoop {
        let standard = ContainerSource.RestartLoop(count: 3, window: .seconds(600))
        let text = reader.string(.restartLoop)
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        guard (1...2).contains(parts.count), let count = ConfigValueParser.count(parts[0], in: 1...1_000) else {
            reader.record(.invalid(.restartLoop, value: text))
            return standard
        }
        guard parts.count == 2 else { return .init(count: count, window: standard.window) }
        guard let window = ConfigValueParser.duration(parts[1], bareUnitSeconds: 1), window > .zero else {
            reader.record(.invalid(.restartLoop, value: text))
            return standard
        }
        return .init(count: count, window: window)
    }

    /// Containers are watched when named, when a compose project is named, or with
    /// `auto` when the watchdog itself runs in a container (its own project); on a bare
    /// host with nothing named the source is off, so no Docker is needed.
    public static func sources(_ settings: Settings, context: SourceContext) -> [any Source] {
        let project: ComposeProject
        switch settings.composeProject {
        case nil: project = .none
        case "auto":
            project = OwnContainer.id(procRoot: "/proc").map { .ownContainer(id: $0) } ?? .none
        case let name?: project = .named(name)
        }
        guard !settings.names.isEmpty || project != .none else { return [] }
        let client = DockerClient(socketPath: settings.dockerSocket, timeout: context.configuration.httpTimeout)
        return [
            ContainerSource(
                collector: DockerCollector(client: client, names: settings.names, project: project),
                grace: settings.grace, restartLoop: settings.restartLoop, texts: context.texts,
                logLines: settings.logLines, secrets: context.configuration.secrets.map(\.value), clock: context.clock)
        ]
    }
}

extension SignalFamily {
    public static let containerDown = SignalFamily(
        "container_down", entity: "name",
        activeWhen:
            "not running, or restarting longer than the grace; stopped on request or recreated only after the grace",
        severity: "critical")
    public static let containerUnhealthy = SignalFamily(
        "container_unhealthy", entity: "name", activeWhen: "health `unhealthy`, or `starting` longer than the grace",
        severity: "critical")
    public static let containerRestarts = SignalFamily(
        "container_restarts", entity: "name",
        activeWhen: "restart count grew by ≥ N within the window, or OOM kill", severity: "warning")
    public static let dockerUnreachable = SignalFamily(
        "docker_unreachable", entity: "—", activeWhen: "the Docker API cannot be reached", severity: "warning")
}

extension Configuration {
    public var dockerSocket: String { features[ContainersFeature.self].dockerSocket }
    public var containers: [String] { features[ContainersFeature.self].names }
    public var composeProject: String? { features[ContainersFeature.self].composeProject }
    public var containerGrace: Duration { features[ContainersFeature.self].grace }
    public var restartLoop: ContainerSource.RestartLoop { features[ContainersFeature.self].restartLoop }
    public var containerLogLines: Int { features[ContainersFeature.self].logLines }
}
