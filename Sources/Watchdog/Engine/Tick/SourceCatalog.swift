import Collectors

/// Builds the sources a configuration asks for. The one place that lists every source
/// (CONTRIBUTING.md: adding a collector).
public enum SourceCatalog {
    /// `heartbeatBoard` is where the HTTP endpoint records pings; without one (`once`)
    /// heartbeats are judged from the saved last-seen times alone.
    public static func sources(for configuration: Configuration, heartbeatBoard: HeartbeatBoard? = nil)
        -> [any Source]
    {
        let texts = Texts(configuration.language)
        var sources: [any Source] = [
            HostMemorySource(
                procRoot: configuration.procRoot, thresholdPercent: configuration.memoryPercent,
                texts: texts)
        ]
        for path in configuration.diskPaths {
            sources.append(
                DiskSource(path: path, thresholdPercent: configuration.diskPercent, texts: texts))
        }
        if let url = configuration.orchestratorURL {
            sources.append(
                OrchestratorSource(
                    url: url.value, timeout: configuration.httpTimeout, settings: configuration.orchestrator,
                    texts: texts))
        }
        if let docker = containerSource(for: configuration, texts: texts) {
            sources.append(docker)
        }
        if !configuration.dependencies.isEmpty {
            sources.append(
                DependencySource(
                    targets: configuration.dependencies, timeout: configuration.httpTimeout,
                    downAfter: configuration.dependencyDownAfter, slowAfter: configuration.dependencySlow,
                    certificateWarning: configuration.certificateWarning, texts: texts))
        }
        // Off means off: the scanner is not even built, so the process table is not read.
        if let processes = configuration.processes {
            sources.append(ProcessSource(procRoot: configuration.procRoot, settings: processes, texts: texts))
        }
        if let ec2 = configuration.ec2 {
            // The API calls and their retries end a little before the tick's hard limit,
            // so a throttled run fails with AWS's own words rather than a timeout.
            let budget = configuration.collectTimeout - min(.milliseconds(500), configuration.collectTimeout / 10)
            sources += ec2.sources(requestTimeout: configuration.httpTimeout, budget: budget, texts: texts)
        }
        if !configuration.heartbeats.isEmpty {
            sources.append(
                HeartbeatSource(
                    windows: configuration.heartbeats,
                    board: heartbeatBoard ?? HeartbeatBoard(names: configuration.heartbeats.map(\.name)),
                    texts: texts))
        }
        return sources
    }

    /// Containers are watched when named, when a compose project is named, or with
    /// `auto` when the watchdog itself runs in a container (its own project); on a bare
    /// host with nothing named the source is off, so no Docker is needed.
    static func containerSource(for configuration: Configuration, texts: Texts) -> ContainerSource? {
        let project: ComposeProject
        switch configuration.composeProject {
        case nil: project = .none
        case "auto":
            project = OwnContainer.id(procRoot: "/proc").map { .ownContainer(id: $0) } ?? .none
        case let name?: project = .named(name)
        }
        guard !configuration.containers.isEmpty || project != .none else { return nil }
        let client = DockerClient(socketPath: configuration.dockerSocket, timeout: configuration.httpTimeout)
        return ContainerSource(
            collector: DockerCollector(client: client, names: configuration.containers, project: project),
            grace: configuration.containerGrace, restartLoop: configuration.restartLoop, texts: texts)
    }
}
