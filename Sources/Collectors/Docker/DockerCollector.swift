import FoundationEssentials
import FoundationGaps

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
    /// By container name, what the events stream said of it (only the non-empty ones).
    public let histories: [String: ContainerHistory]
    /// By container name, the last log lines of a container that is down (with
    /// `WATCHDOG_CONTAINER_LOG_LINES`), already cut and redacted.
    public let logs: [String: String]
    /// Watched containers listed beyond `DockerCollector.maximumContainers`, not watched.
    public let leftOut: Int
    /// List entries too large to read (`ContainerList.maximumEntryBytes`), skipped.
    public let oversized: Int

    public static func unreachable(_ reason: String) -> DockerReading {
        DockerReading(unreachable: reason, apiVersion: nil, project: nil, containers: [], missing: [])
    }

    public init(
        unreachable: String? = nil, apiVersion: String?, project: String?, containers: [ContainerStatus],
        missing: [String], histories: [String: ContainerHistory] = [:], logs: [String: String] = [:],
        leftOut: Int = 0, oversized: Int = 0
    ) {
        self.leftOut = leftOut
        self.oversized = oversized
        self.unreachable = unreachable
        self.apiVersion = apiVersion
        self.project = project
        self.containers = containers
        self.missing = missing
        self.histories = histories
        self.logs = logs
    }
}

/// Which compose project's containers to watch besides the named ones.
public enum ComposeProject: Sendable, Equatable {
    case none
    case named(String)
    /// The project of the container the watchdog runs in (`auto`), found by its id.
    case ownContainer(id: String)
}

/// The Docker Engine API requests of the container source (SPEC §10.2), each one GET over
/// the unix socket: negotiate the version, find the compose project, list the watched
/// containers in one request, inspect one, read one's last log lines.
///
/// A daemon that cannot be reached throws `DockerClient.Unreachable` (`docker_unreachable`,
/// the container keys unknown). An answer that makes no sense (a 500, a malformed
/// document) throws a `CollectorError`: the reading failed.
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

    /// The API version to speak (`/_ping`'s `Api-Version`, at least 1.41).
    public func negotiate() async throws -> String {
        let ping = try await client.get("/_ping")
        guard ping.status == 200 else { throw CollectorError("docker: /_ping answered \(ping.status)") }
        return try DockerAPIVersion.negotiate(ping.apiVersion)
    }

    /// The compose project whose containers are watched, if any; `auto` reads the
    /// watchdog's own container's label (nil when that container is not found).
    public func resolveProject(version: String) async throws -> String? {
        switch project {
        case .none: return nil
        case .named(let name): return name
        case .ownContainer(let id):
            let response = try await client.get("/v\(version)/containers/\(Self.pathComponent(id))/json")
            guard response.status == 200 else { return nil }
            return try ContainerStatus.parse(response.body).labels[Self.projectLabel]
        }
    }

    /// Containers one source watches at most (SPEC §12, docs/limits.md): named ones
    /// always, then the project's, those already watched first.
    public static let maximumContainers = 1_000

    /// The watched containers, running or not, in one request: filtered by name when
    /// only names are watched, by the project label when only a project is, and
    /// unfiltered (then chosen here) when both are, since Docker's filters of different
    /// kinds must all hold. The answer is read as it arrives, one entry at a time, so a
    /// daemon with tens of thousands of containers costs the kept ones, not the list.
    public func list(
        version: String, project: String?, preferring preferred: Set<String> = [],
        limit: Int = DockerCollector.maximumContainers
    ) async throws -> ContainerList.Selection.Chosen {
        var selection = ContainerList.Selection(
            names: Set(names), project: project, preferred: preferred, limit: limit)
        let response = try await client.stream(
            "/v\(version)/containers/json?all=true" + Self.listFilter(names: names, project: project)
        ) { chunk in try selection.read(chunk.readableBytesView) }
        guard response.status == 200 else { throw Self.apiError("list containers", response) }
        return try selection.finish()
    }

    /// The `&filters=` of the list, percent-encoded; empty when both kinds are watched.
    static func listFilter(names: [String], project: String?) -> String {
        let filters: JSONValue
        switch (names.isEmpty, project) {
        case (false, nil): filters = ["name": JSONValue(names.map { "^/?" + regexEscaped($0) + "$" })]
        case (true, let project?): filters = ["label": JSONValue(["\(projectLabel)=\(project)"])]
        default: return ""
        }
        return "&filters=" + PercentEncoding.encode(filters.encodedString)
    }

    /// A name as a regular expression matching only itself (Docker's `name` filter is a
    /// regular expression).
    static func regexEscaped(_ name: String) -> String {
        var escaped = ""
        for character in name {
            if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// One container's inspect document; nil when there is no such container (404).
    public func inspect(_ name: String, version: String) async throws -> ContainerStatus? {
        let response = try await client.get("/v\(version)/containers/\(Self.pathComponent(name))/json")
        switch response.status {
        case 200: return try ContainerStatus.parse(response.body)
        case 404: return nil
        default: throw Self.apiError("inspect \(name)", response)
        }
    }

    /// The last `lines` log lines of a container, stdout and stderr interleaved as
    /// written (the multiplexed stream decoded, or the raw one of a TTY container).
    public func logs(id: String, lines: Int, tty: Bool, version: String) async throws -> String {
        let response = try await client.get(
            "/v\(version)/containers/\(Self.pathComponent(id))/logs?tail=\(max(1, lines))&stdout=1&stderr=1")
        guard response.status == 200 else { throw Self.apiError("logs of \(id.prefix(12))", response) }
        return DockerLogStream.text(of: response.body, tty: tty)
    }

    static func pathComponent(_ name: String) -> String {
        PercentEncoding.encode(name, keeping: Set("-_.".utf8))
    }

    static func apiError(_ what: String, _ response: DockerClient.Response) -> CollectorError {
        let message = JSONValue.parse(response.body)?["message"]?.stringValue
        return CollectorError(
            "docker: \(what) answered \(response.status)\(message.map { ": \($0.prefix(200))" } ?? "")")
    }
}
