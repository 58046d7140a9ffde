import FoundationEssentials
import FoundationGaps

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
    /// Whether it runs with a TTY: its logs are then one raw stream, not multiplexed.
    public let tty: Bool
    /// The names it is reached by on its networks (`Aliases` and `DNSNames` of each
    /// network): a dependency whose URL names one goes down with it (SPEC §4.2).
    public let networkAliases: [String]

    /// Labels are left out of `once --json`: they are only used to find the compose
    /// project, and key strategies would rewrite their names.
    enum CodingKeys: String, CodingKey {
        case name, id, state, exitCode, oomKilled, error, restartCount, startedAt, finishedAt, health, healthOutput
    }

    public init(
        name: String, id: String, state: String, exitCode: Int = 0, oomKilled: Bool = false, error: String = "",
        restartCount: Int = 0, startedAt: Date? = nil, finishedAt: Date? = nil, health: String? = nil,
        healthOutput: String? = nil, labels: [String: String] = [:], tty: Bool = false, networkAliases: [String] = []
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
        self.tty = tty
        self.networkAliases = networkAliases
    }

    /// At most this many aliases are read, each at most a DNS name long.
    static let maximumAliases = 64

    /// The part of the inspect document the watchdog reads; Docker's keys are
    /// capitalized.
    struct InspectDocument: Decodable {
        struct State: Decodable {
            struct Health: Decodable {
                struct Check: Decodable {
                    let output: String?
                    enum CodingKeys: String, CodingKey { case output = "Output" }
                }
                let status: String?
                let log: [Check]?
                enum CodingKeys: String, CodingKey {
                    case status = "Status"
                    case log = "Log"
                }
            }
            let status: String?
            let exitCode: Int?
            let oomKilled: Bool?
            let error: String?
            let startedAt: String?
            let finishedAt: String?
            let health: Health?
            enum CodingKeys: String, CodingKey {
                case status = "Status"
                case exitCode = "ExitCode"
                case oomKilled = "OOMKilled"
                case error = "Error"
                case startedAt = "StartedAt"
                case finishedAt = "FinishedAt"
                case health = "Health"
            }
        }
        struct Config: Decodable {
            let labels: LenientLabels?
            let tty: Bool?
            enum CodingKeys: String, CodingKey {
                case labels = "Labels"
                case tty = "Tty"
            }
        }
        struct NetworkSettings: Decodable {
            struct Endpoint: Decodable {
                let aliases: [String]?
                let dnsNames: [String]?
                enum CodingKeys: String, CodingKey {
                    case aliases = "Aliases"
                    case dnsNames = "DNSNames"
                }
            }
            let networks: [String: Endpoint]?
            enum CodingKeys: String, CodingKey { case networks = "Networks" }
        }
        let id: String?
        let name: String?
        let restartCount: Int?
        let state: State?
        let config: Config?
        /// Lenient: a shape this reader does not know leaves the aliases out, never the container.
        let networkSettings: NetworkSettings?
        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case name = "Name"
            case restartCount = "RestartCount"
            case state = "State"
            case config = "Config"
            case networkSettings = "NetworkSettings"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeIfPresent(String.self, forKey: .id)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            restartCount = try container.decodeIfPresent(Int.self, forKey: .restartCount)
            state = try container.decodeIfPresent(State.self, forKey: .state)
            config = try container.decodeIfPresent(Config.self, forKey: .config)
            networkSettings = try? container.decodeIfPresent(NetworkSettings.self, forKey: .networkSettings)
        }

        /// Every alias and DNS name of every network, once each, in network order.
        var aliases: [String] {
            var seen: Set<String> = []
            var names: [String] = []
            for (_, endpoint) in (networkSettings?.networks ?? [:]).sorted(by: { $0.key < $1.key }) {
                for alias in (endpoint.aliases ?? []) + (endpoint.dnsNames ?? [])
                where !alias.isEmpty && alias.utf8.count <= 253 && seen.insert(alias).inserted {
                    names.append(alias)
                }
            }
            return Array(names.prefix(ContainerStatus.maximumAliases))
        }
    }

    /// Parses the inspect document. Unknown fields are ignored; a document without
    /// `State.Status` is an error, not a container in an unknown state.
    public static func parse(_ body: [UInt8]) throws -> ContainerStatus {
        let document: InspectDocument
        do {
            document = try JSONDecoder().decode(InspectDocument.self, from: Data(body))
        } catch {
            throw CollectorError("docker: container inspect is not a JSON object of the expected shape")
        }
        guard let state = document.state, let status = state.status else {
            throw CollectorError("docker: container inspect has no State.Status")
        }
        let name = (document.name ?? "").drop { $0 == "/" }
        let lastCheck = state.health?.log?.last
        return ContainerStatus(
            name: String(name), id: String((document.id ?? "").prefix(64)), state: status,
            exitCode: state.exitCode ?? 0, oomKilled: state.oomKilled ?? false,
            error: String((state.error ?? "").prefix(300)),
            restartCount: document.restartCount ?? 0,
            startedAt: dockerDate(state.startedAt), finishedAt: dockerDate(state.finishedAt),
            health: state.health?.status,
            healthOutput: lastCheck?.output.map { String($0.prefix(300)) },
            labels: document.config?.labels?.values ?? [:], tty: document.config?.tty ?? false,
            networkAliases: document.aliases)
    }

    /// Docker writes RFC 3339 times with nanoseconds, and `0001-01-01T00:00:00Z` for never.
    static func dockerDate(_ value: String?) -> Date? {
        guard let text = value, !text.hasPrefix("0001-") else { return nil }
        var trimmed = text
        if let dot = text.firstIndex(of: "."),
            let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        {
            trimmed = String(text[..<dot]) + String(text[zone...])
        }
        return try? Date(trimmed, strategy: .iso8601)
    }
}

/// One container as `GET /containers/json?all=true` lists it: enough to see that
/// nothing changed without inspecting it (SPEC §10.2).
public struct ListedContainer: Sendable, Equatable {
    public let id: String
    public let name: String
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    public let state: String
    /// The health the `Status` text shows (`healthy`, `unhealthy`, `health: starting`),
    /// nil without a healthcheck.
    public let health: String?
    public let composeProject: String?
    public let composeService: String?

    public init(
        id: String, name: String, state: String, health: String? = nil, composeProject: String? = nil,
        composeService: String? = nil
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.health = health
        self.composeProject = composeProject
        self.composeService = composeService
    }
}

public enum ContainerList {
    public static func names(_ body: [UInt8]) throws -> [String] {
        try entries(body).map(\.name)
    }

    /// Every listed container; an item without an id or a name is skipped.
    public static func entries(_ body: [UInt8]) throws -> [ListedContainer] {
        var selection = Selection(names: [], project: nil, limit: Int.max, everything: true)
        try selection.read(body)
        return try selection.finish().containers
    }

    /// Bytes one list entry may have: Docker's are about 1.3 KiB with compose labels; one
    /// over this (labels of megabytes) is skipped, not held.
    public static let maximumEntryBytes = 256 * 1024

    /// One list entry, or nil for an item without an id or a name.
    static func entry(_ bytes: [UInt8]) throws(CollectorError) -> ListedContainer? {
        let item: ListItem
        do {
            item = try JSONDecoder().decode(ListItem.self, from: Data(bytes))
        } catch {
            throw CollectorError("docker: container list is not a JSON array of containers")
        }
        guard let id = item.id ?? item.upperCaseID,
            let name = item.names?.first.map({ String($0.drop { $0 == "/" }) }), !name.isEmpty
        else { return nil }
        let labels = item.labels?.values ?? [:]
        let status = (item.status ?? "").prefix(200)
        let health: String? =
            if status.hasSuffix("(unhealthy)") { "unhealthy" } else if status.hasSuffix("(healthy)") {
                "healthy"
            } else if status.hasSuffix("(health: starting)") { "starting" } else { nil }
        return ListedContainer(
            id: String(id.prefix(128)), name: String(name.prefix(256)),
            state: String((item.state ?? "").prefix(32)), health: health,
            composeProject: labels["com.docker.compose.project"].map { String($0.prefix(256)) },
            composeService: labels["com.docker.compose.service"].map { String($0.prefix(256)) })
    }

    /// The watched containers of one list answer, chosen as its entries arrive and
    /// within a limit (SPEC §12: scale is not failure). Named containers are always
    /// kept; then those `preferred` (watched at the last read, so a new container never
    /// pushes out one already watched, and nothing firing is lost); then the others in
    /// the list's order, up to `limit` in all. At most the named, the preferred and
    /// `limit` more entries are held at once, whatever the list's length.
    public struct Selection: Sendable {
        let names: Set<String>
        let project: String?
        let preferred: Set<String>
        let limit: Int
        /// Keep every entry (tests, the unfiltered `entries`).
        let everything: Bool
        private var reader = JSONArrayReader(maximumElementBytes: ContainerList.maximumEntryBytes)
        private var kept: [(index: Int, container: ListedContainer)] = []
        private var candidates: [(index: Int, container: ListedContainer)] = []
        private var order = 0
        private var watched = 0
        private var preferredFound = 0
        private var oversized = 0

        public init(
            names: Set<String>, project: String?, preferred: Set<String> = [], limit: Int, everything: Bool = false
        ) {
            self.names = names
            self.project = project
            self.preferred = preferred
            self.limit = max(0, limit)
            self.everything = everything
        }

        /// What was chosen: the containers in the list's order, how many watched ones
        /// were left out over the limit, and how many entries were too large to read.
        public struct Chosen: Sendable, Equatable {
            public let containers: [ListedContainer]
            public let leftOut: Int
            public let oversized: Int
        }

        /// Reads the next bytes of the answer.
        public mutating func read(_ chunk: some Sequence<UInt8>) throws {
            var elements: [[UInt8]?] = []
            do throws(JSONArrayReader.FeedError<Never>) {
                try reader.feed(chunk) { elements.append($0) }
            } catch {
                throw CollectorError("docker: container list is not a JSON array of containers")
            }
            for bytes in elements {
                guard let bytes else {
                    oversized += 1
                    continue
                }
                order += 1
                // A project's list (filtered by its label) past the point where nothing
                // more can be kept: counted, not decoded.
                if !everything, names.isEmpty, project != nil, kept.count + candidates.count >= limit,
                    preferredFound == preferred.count
                {
                    watched += 1
                    continue
                }
                if let entry = try ContainerList.entry(bytes) { take(entry) }
            }
        }

        private mutating func take(_ entry: ListedContainer) {
            guard everything || names.contains(entry.name) || (project != nil && entry.composeProject == project)
            else { return }
            watched += 1
            if everything || names.contains(entry.name) || preferred.contains(entry.name) {
                if preferred.contains(entry.name) { preferredFound += 1 }
                kept.append((order, entry))
            } else if candidates.count < limit {
                candidates.append((order, entry))
            }
        }

        /// The choice, once the whole answer was read; throws when it ended early.
        public func finish() throws -> Chosen {
            do {
                try reader.finish()
            } catch {
                throw CollectorError("docker: container list is not a JSON array of containers (\(error))")
            }
            let room = everything ? candidates.count : max(0, limit - kept.count)
            let chosen = (kept + candidates.prefix(room)).sorted { $0.index < $1.index }.map(\.container)
            return Chosen(containers: chosen, leftOut: watched - chosen.count, oversized: oversized)
        }
    }

    /// The part of one list item the watchdog reads.
    struct ListItem: Decodable {
        let id: String?
        /// Older daemons and some proxies spell it `ID`.
        let upperCaseID: String?
        let names: [String]?
        let state: String?
        let status: String?
        let labels: LenientLabels?
        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case upperCaseID = "ID"
            case names = "Names"
            case state = "State"
            case status = "Status"
            case labels = "Labels"
        }
    }

    /// Which watched containers a tick must inspect (SPEC §10.2, "a container is
    /// inspected only when the list or an event says its state changed"): those not
    /// running or not healthy, those whose id or state differs from the last inspect, and
    /// those an event named since. Pure.
    public static func toInspect(
        _ listed: [ListedContainer], lastSeen: [String: (id: String, state: String)], named: Set<String>
    ) -> [String] {
        listed.filter { container in
            guard container.state == "running", container.health != "unhealthy", container.health != "starting" else {
                return true
            }
            guard let last = lastSeen[container.name] else { return true }
            return last.id != container.id || last.state != container.state || named.contains(container.name)
        }.map(\.name)
    }
}

/// A container's labels: an object of strings. A member that is not a string is left
/// out rather than failing the whole document (Docker writes only strings; a proxy or a
/// future version might not).
struct LenientLabels: Decodable {
    let values: [String: String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let strings = try? container.decode([String: String].self) {
            values = strings
        } else {
            values = (try? container.decode(JSONValue.self))?.stringMembers ?? [:]
        }
    }
}
