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
            guard let range = line.range(of: "/containers/") else { continue }
            let candidate = line[range.upperBound...].prefix(64)
            if isContainerID(candidate) { return String(candidate) }
        }
        return nil
    }

    /// Pure: cgroup v1 paths such as `/docker/<id>` or `docker-<id>.scope`.
    public static func id(fromCgroup text: String) -> String? {
        for line in text.split(separator: "\n") {
            for marker in ["/docker/", "docker-"] {
                guard let range = line.range(of: marker) else { continue }
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
