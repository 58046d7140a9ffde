import Foundation

/// What the Docker collector saw: the daemon unreachable, or every watched container's
/// state (or that it is gone).
public struct DockerReading: Sendable, Encodable, Equatable {
    /// nil when the daemon answered.
    public let unreachable: String?
    public let apiVersion: String?
    /// The compose project whose containers were listed, if any.
    public let project: String?
    public let containers: [ContainerStatus]
    /// Watched by name but not there (404).
    public let missing: [String]

    public static func unreachable(_ reason: String) -> DockerReading {
        DockerReading(unreachable: reason, apiVersion: nil, project: nil, containers: [], missing: [])
    }

    public init(
        unreachable: String? = nil, apiVersion: String?, project: String?, containers: [ContainerStatus],
        missing: [String]
    ) {
        self.unreachable = unreachable
        self.apiVersion = apiVersion
        self.project = project
        self.containers = containers
        self.missing = missing
    }
}

/// Which compose project's containers to watch besides the named ones.
public enum ComposeProject: Sendable, Equatable {
    case none
    case named(String)
    /// The project of the container the watchdog runs in (`auto`), found by its id.
    case ownContainer(id: String)
}

/// Reads container states from the Docker Engine API over the unix socket.
///
/// A daemon that cannot be reached is a reading (`docker_unreachable`), not an error:
/// the container keys are then unknown. An answer that makes no sense (a 500, a
/// malformed document) is an error: the whole reading failed.
public struct DockerCollector: Sendable {
    public let client: DockerClient
    public let names: [String]
    public let project: ComposeProject

    public init(client: DockerClient, names: [String], project: ComposeProject) {
        self.client = client
        self.names = names
        self.project = project
    }

    public static let projectLabel = "com.docker.compose.project"

    public func collect() async throws -> DockerReading {
        do {
            let ping = try await client.get("/_ping")
            guard ping.status == 200 else { throw CollectorError("docker: /_ping answered \(ping.status)") }
            let version = try DockerAPIVersion.negotiate(ping.apiVersion)
            var watched = Set(names)
            let projectName = try await resolveProject(version: version)
            if let projectName {
                watched.formUnion(try await projectContainers(projectName, version: version))
            }
            var containers: [ContainerStatus] = []
            var missing: [String] = []
            for name in watched.sorted() {
                let response = try await client.get("/v\(version)/containers/\(Self.pathComponent(name))/json")
                switch response.status {
                case 200: containers.append(try ContainerStatus.parse(response.body))
                case 404: missing.append(name)
                default: throw Self.apiError("inspect \(name)", response)
                }
            }
            return DockerReading(
                apiVersion: version, project: projectName, containers: containers, missing: missing)
        } catch let unreachable as DockerClient.Unreachable {
            return .unreachable(unreachable.description)
        }
    }

    private func resolveProject(version: String) async throws -> String? {
        switch project {
        case .none: return nil
        case .named(let name): return name
        case .ownContainer(let id):
            let response = try await client.get("/v\(version)/containers/\(Self.pathComponent(id))/json")
            guard response.status == 200 else { return nil }
            return try ContainerStatus.parse(response.body).labels[Self.projectLabel]
        }
    }

    private func projectContainers(_ project: String, version: String) async throws -> [String] {
        let filters = #"{"label":["\#(Self.projectLabel)=\#(project)"]}"#
        let query = filters.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let response = try await client.get("/v\(version)/containers/json?all=true&filters=\(query)")
        guard response.status == 200 else { throw Self.apiError("list project \(project)", response) }
        return try ContainerList.names(response.body)
    }

    static func pathComponent(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_", "."])) ?? name
    }

    static func apiError(_ what: String, _ response: DockerClient.Response) -> CollectorError {
        let message =
            ((try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any])?["message"] as? String
        return CollectorError(
            "docker: \(what) answered \(response.status)\(message.map { ": \($0.prefix(200))" } ?? "")")
    }
}
