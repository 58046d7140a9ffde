import Foundation

/// One container as `GET /containers/{name}/json` describes it: the fields the
/// container signals need, nothing else.
public struct ContainerStatus: Sendable, Encodable, Equatable {
    public let name: String
    public let id: String
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    public let state: String
    public let exitCode: Int
    public let oomKilled: Bool
    public let error: String
    public let restartCount: Int
    public let startedAt: Date?
    public let finishedAt: Date?
    /// `starting`, `healthy` or `unhealthy`; nil without a healthcheck.
    public let health: String?
    /// The last healthcheck's output, cut short.
    public let healthOutput: String?
    public let labels: [String: String]

    /// Labels are left out of `once --json`: they are only used to find the compose
    /// project, and key strategies would rewrite their names.
    enum CodingKeys: String, CodingKey {
        case name, id, state, exitCode, oomKilled, error, restartCount, startedAt, finishedAt, health, healthOutput
    }

    public init(
        name: String, id: String, state: String, exitCode: Int = 0, oomKilled: Bool = false, error: String = "",
        restartCount: Int = 0, startedAt: Date? = nil, finishedAt: Date? = nil, health: String? = nil,
        healthOutput: String? = nil, labels: [String: String] = [:]
    ) {
        self.name = name
        self.id = id
        self.state = state
        self.exitCode = exitCode
        self.oomKilled = oomKilled
        self.error = error
        self.restartCount = restartCount
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.health = health
        self.healthOutput = healthOutput
        self.labels = labels
    }

    /// Parses the inspect document. Unknown fields are ignored; a document without
    /// `State.Status` is an error, not a container in an unknown state.
    public static func parse(_ body: [UInt8]) throws -> ContainerStatus {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw CollectorError("docker: container inspect is not a JSON object")
        }
        guard let state = object["State"] as? [String: Any], let status = state["Status"] as? String else {
            throw CollectorError("docker: container inspect has no State.Status")
        }
        let name = ((object["Name"] as? String) ?? "").drop { $0 == "/" }
        let health = state["Health"] as? [String: Any]
        let lastCheck = (health?["Log"] as? [[String: Any]])?.last
        let config = object["Config"] as? [String: Any]
        return ContainerStatus(
            name: String(name), id: String(((object["Id"] as? String) ?? "").prefix(64)), state: status,
            exitCode: (state["ExitCode"] as? Int) ?? 0, oomKilled: (state["OOMKilled"] as? Bool) ?? false,
            error: String(((state["Error"] as? String) ?? "").prefix(300)),
            restartCount: (object["RestartCount"] as? Int) ?? 0,
            startedAt: dockerDate(state["StartedAt"]), finishedAt: dockerDate(state["FinishedAt"]),
            health: health?["Status"] as? String,
            healthOutput: (lastCheck?["Output"] as? String).map { String($0.prefix(300)) },
            labels: (config?["Labels"] as? [String: String]) ?? [:])
    }

    /// Docker writes RFC 3339 times with nanoseconds, and `0001-01-01T00:00:00Z` for never.
    static func dockerDate(_ value: Any?) -> Date? {
        guard let text = value as? String, !text.hasPrefix("0001-") else { return nil }
        var trimmed = text
        if let dot = text.firstIndex(of: "."),
            let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        {
            trimmed = String(text[..<dot]) + String(text[zone...])
        }
        return try? Date(trimmed, strategy: .iso8601)
    }
}

/// The names in a `GET /containers/json` list, without their leading slash.
public enum ContainerList {
    public static func names(_ body: [UInt8]) throws -> [String] {
        guard let items = (try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]] else {
            throw CollectorError("docker: container list is not a JSON array")
        }
        return items.compactMap { ($0["Names"] as? [String])?.first.map { String($0.drop { $0 == "/" }) } }
    }
}
