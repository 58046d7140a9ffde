import FoundationEssentials
import FoundationGaps

/// Finds the id of the Docker container this process runs in, for
/// `WATCHDOG_COMPOSE_PROJECT=auto`: Docker bind-mounts `/etc/hostname`, `/etc/hosts` and
/// `/etc/resolv.conf` from `/var/lib/docker/containers/<id>/`, which `mountinfo` shows
/// under cgroup v1 and v2 alike.
public enum OwnContainer {
    /// The container id, or nil when not running in a Docker container.
    public static func id(procRoot: String) -> String? {
        let root = procRoot.hasSuffix("/") ? procRoot : procRoot + "/"
        if let text = try? BoundedFile.readText(root + "self/mountinfo", limit: 1024 * 1024),
            let id = id(fromMountinfo: text)
        {
            return id
        }
        if let text = try? BoundedFile.readText(root + "self/cgroup", limit: 64 * 1024) {
            return id(fromCgroup: text)
        }
        return nil
    }

    /// Pure: the first 64-hex-digit id after `/containers/` in mount sources.
    public static func id(fromMountinfo text: String) -> String? {
        for line in text.split(separator: "\n") {
            guard let range = line.firstRange(of: "/containers/") else { continue }
            let candidate = line[range.upperBound...].prefix(64)
            if isContainerID(candidate) { return String(candidate) }
        }
        return nil
    }

    /// Pure: cgroup v1 paths such as `/docker/<id>` or `docker-<id>.scope`.
    public static func id(fromCgroup text: String) -> String? {
        for line in text.split(separator: "\n") {
            for marker in ["/docker/", "docker-"] {
                guard let range = line.firstRange(of: marker) else { continue }
                let candidate = line[range.upperBound...].prefix(64)
                if isContainerID(candidate) { return String(candidate) }
            }
        }
        return nil
    }

    static func isContainerID(_ text: Substring) -> Bool {
        text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}

extension OwnContainer {
    /// What Docker says about this process's container: its labels and the Docker host's
    /// name. Either is empty or nil when Docker cannot be asked or does not say.
    public struct Description: Sendable, Equatable {
        public var labels: [String: String]
        public var dockerHostName: String?

        public init(labels: [String: String] = [:], dockerHostName: String? = nil) {
            self.labels = labels
            self.dockerHostName = dockerHostName
        }
    }

    /// Asks Docker (GET only) about container `id`; never throws, never waits longer than
    /// the client's timeout per request.
    public static func describe(id: String, client: DockerClient) async -> Description {
        var description = Description()
        guard let ping = try? await client.get("/_ping"), ping.status == 200,
            let version = try? DockerAPIVersion.negotiate(ping.apiVersion)
        else { return description }
        if let inspect = try? await client.get("/v\(version)/containers/\(DockerCollector.pathComponent(id))/json"),
            inspect.status == 200, let status = try? ContainerStatus.parse(inspect.body)
        {
            description.labels = status.labels
        }
        if description.labels[DockerCollector.projectLabel] == nil,
            let info = try? await client.get("/v\(version)/info"), info.status == 200
        {
            description.dockerHostName = dockerHostName(fromInfo: info.body)
        }
        return description
    }

    /// Pure: `Name` of a `GET /info` document.
    public static func dockerHostName(fromInfo body: [UInt8]) -> String? {
        guard let name = JSONValue.parse(body)?["Name"]?.stringValue, !name.isEmpty
        else { return nil }
        return name
    }
}
