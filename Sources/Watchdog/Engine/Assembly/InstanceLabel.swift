import Collectors

/// Where the instance label (`WATCHDOG_INSTANCE`) came from.
public enum InstanceOrigin: Sendable, Equatable, CustomStringConvertible {
    /// Set by the operator.
    case configured
    /// The kernel's host name: on a bare host, the machine's name.
    case hostName
    /// The compose project and service of the watchdog's own container.
    case composeLabels
    /// The Docker host's name (`GET /info`), for a container outside compose.
    case dockerHost

    public var description: String {
        switch self {
        case .configured: "configured"
        case .hostName: "host name"
        case .composeLabels: "compose project/service of this container"
        case .dockerHost: "Docker host name"
        }
    }
}

/// The default label every message carries. In a container the host name is the
/// container id, which tells a reader nothing, so there the label is the compose
/// project and service (`shop/watchdog`) or else the name of the Docker host.
public enum InstanceLabel {
    public static let composeServiceLabel = "com.docker.compose.service"

    /// Pure: what the label is, given what Docker said; nil when nothing better than the
    /// host name is known.
    public static func choose(containerLabels: [String: String], dockerHostName: String?) -> (
        label: String, origin: InstanceOrigin
    )? {
        let project = (containerLabels[DockerCollector.projectLabel] ?? "").trimmingSpaces()
        let service = (containerLabels[composeServiceLabel] ?? "").trimmingSpaces()
        if !project.isEmpty {
            let label = service.isEmpty ? project : "\(project)/\(service)"
            return (String(label.prefix(200)), .composeLabels)
        }
        if let name = dockerHostName?.trimmingSpaces(), !name.isEmpty {
            return (String(name.prefix(200)), .dockerHost)
        }
        return nil
    }

    /// Replaces a default label when the watchdog runs in a container and Docker answers
    /// (each request bounded by the HTTP timeout, at most 2 s); else leaves it as it is.
    public static func resolve(_ configuration: Configuration, procRoot: String = "/proc") async -> Configuration {
        guard configuration.instanceOrigin == .hostName, let id = OwnContainer.id(procRoot: procRoot) else {
            return configuration
        }
        let client = DockerClient(
            socketPath: configuration.dockerSocket, timeout: min(configuration.httpTimeout, .seconds(2)))
        let answer = await OwnContainer.describe(id: id, client: client)
        guard let (label, origin) = choose(containerLabels: answer.labels, dockerHostName: answer.dockerHostName)
        else { return configuration }
        var resolved = configuration
        resolved.instance = label
        resolved.instanceOrigin = origin
        return resolved
    }
}
