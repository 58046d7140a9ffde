import FoundationEssentials
import FoundationGaps

/// One container event of Docker's `/events` stream, the fields the container source
/// needs (SPEC §10.2).
public struct DockerEvent: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case create, start, restart, die, kill, stop, oom, destroy, pause, unpause
        /// `health_status: healthy|unhealthy|starting`.
        case health(String)
        /// Anything else (`exec_start: …`, `attach`, `rename`, …): not a change of state.
        case other

        init(_ text: String) {
            switch text {
            case "create": self = .create
            case "start": self = .start
            case "restart": self = .restart
            case "die": self = .die
            case "kill": self = .kill
            case "stop": self = .stop
            case "oom": self = .oom
            case "destroy": self = .destroy
            case "pause": self = .pause
            case "unpause": self = .unpause
            default:
                if text.hasPrefix("health_status:") {
                    self = .health(String(text.dropFirst("health_status:".count)).trimmingWhitespace())
                } else {
                    self = .other
                }
            }
        }
    }

    /// Nanoseconds since 1970 (`timeNano`, or `time` × 10⁹ from daemons without it).
    public let timeNano: Int64
    public let id: String
    public let name: String
    public let action: Action
    /// `die`: the exit code, as the daemon wrote it.
    public let exitCode: Int?
    /// `kill`: the signal, a number or a name.
    public let signal: String?
    public let composeProject: String?
    public let composeService: String?

    public init(
        timeNano: Int64, id: String, name: String, action: Action, exitCode: Int? = nil, signal: String? = nil,
        composeProject: String? = nil, composeService: String? = nil
    ) {
        self.timeNano = timeNano
        self.id = id
        self.name = name
        self.action = action
        self.exitCode = exitCode
        self.signal = signal
        self.composeProject = composeProject
        self.composeService = composeService
    }

    public var time: Date { Date(timeIntervalSince1970: Double(timeNano) / 1e9) }

    /// Bounds on what one event may carry into the source's memory.
    static let maximumTextLength = 256

    /// One line of the stream. Events of other types (networks, images) and lines that
    /// are not an event are nil: the stream goes on.
    public static func parse(_ line: [UInt8]) -> DockerEvent? {
        guard let object = JSONValue.parse(line),
            object["Type"]?.stringValue == "container",
            let actionText = object["Action"]?.stringValue,
            let actor = object["Actor"],
            let id = actor["ID"]?.stringValue, !id.isEmpty
        else { return nil }
        let attributes = actor["Attributes"]
        func attribute(_ name: String) -> String? {
            attributes?[name]?.stringValue.map { String($0.prefix(maximumTextLength)) }
        }
        let nano: Int64
        if let value = object["timeNano"]?.int64Value, value > 0 {
            nano = value
        } else if let seconds = object["time"]?.int64Value, seconds > 0 {
            nano = seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow ? Int64.max : seconds * 1_000_000_000
        } else {
            return nil
        }
        return DockerEvent(
            timeNano: nano, id: String(id.prefix(128)), name: attribute("name") ?? "",
            action: Action(String(actionText.prefix(maximumTextLength))),
            exitCode: attribute("exitCode").flatMap { Int($0) }, signal: attribute("signal"),
            composeProject: attribute("com.docker.compose.project"),
            composeService: attribute("com.docker.compose.service"))
    }
}

/// Where the events stream left off, so a reconnect asks again from a little earlier
/// (`since=`) and drops what it has already seen: the daemon's buffer is short, and an
/// event missed is a crash unannounced.
public struct EventCursor: Sendable, Equatable {
    /// How far back a reconnect asks: events of the same second can arrive out of order.
    public static let overlapNano: Int64 = 2_000_000_000
    /// Events remembered for dropping duplicates; more than an overlap's worth.
    static let remembered = 512

    public private(set) var lastNano: Int64?
    private var seen: [String] = []

    public init() {}

    /// The `since` of a reconnect, in Docker's `seconds.nanoseconds` form; nil before the
    /// first event.
    public var since: String? {
        guard let lastNano else { return nil }
        let from = max(0, lastNano - Self.overlapNano)
        let nanos = String(from % 1_000_000_000)
        return "\(from / 1_000_000_000)." + String(repeating: "0", count: 9 - nanos.count) + nanos
    }

    /// Whether `event` is new; records it.
    public mutating func admit(_ event: DockerEvent) -> Bool {
        if let lastNano, event.timeNano < lastNano - Self.overlapNano { return false }
        let identity = "\(event.timeNano)|\(event.id)|\(event.action)"
        guard !seen.contains(identity) else { return false }
        seen.append(identity)
        if seen.count > Self.remembered { seen.removeFirst(seen.count - Self.remembered) }
        lastNano = max(lastNano ?? event.timeNano, event.timeNano)
        return true
    }
}
