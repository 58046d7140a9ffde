import FoundationEssentials

/// A chat line read as one of the commands of SPEC §13. Pure.
public enum ChatCommand: Sendable, Equatable {
    case status
    case silence(matchers: [SignalKey], duration: Duration, reason: String)
    case silences
    case unsilence(id: String)
    case ack(SignalKey)
    /// The incidents of the last `Duration` (SPEC §13, §14).
    case history(Duration)
    case help
    /// A command of ours that cannot be run as written: the answer says why.
    case invalid(String)
    /// Not a command of ours: ordinary talk, another bot's command, an unknown one.
    case ignored

    /// At most this long from the chat (SPEC §13).
    public static let longestSilence: Duration = .seconds(30 * 86_400)
    /// `/history` without a duration: the last day.
    public static let defaultHistory: Duration = .seconds(86_400)
    /// As far back as the log keeps by default and a little more.
    public static let longestHistory: Duration = .seconds(90 * 86_400)

    /// Reads `text`. Commands start with `prefix`: `/` on Telegram, `!` on Matrix, as
    /// bots there do. `botName` is the bot's Telegram username: `/status@thatbot` is
    /// ignored when it names another bot, and unknown commands are answered only when
    /// they name this one (where several bots share a prefix, the others' are not ours).
    public static func parse(_ text: String, botName: String?, prefix: Character = "/") -> ChatCommand {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard let first = words.first, first.first == prefix else { return .ignored }
        let head = first.dropFirst().split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let name = head.first.map { $0.lowercased() } ?? ""
        var addressed = false
        if head.count == 2 {
            guard let botName, head[1].lowercased() == botName.lowercased() else { return .ignored }
            addressed = true
        }
        let arguments = words.dropFirst().map(String.init)
        switch name {
        case "status": return .status
        case "silences": return .silences
        case "help", "start": return .help
        case "silence": return silence(arguments, prefix: prefix)
        case "unsilence":
            guard arguments.count == 1, arguments[0].count <= 64 else {
                return .invalid("usage: \(prefix)unsilence ID")
            }
            return .unsilence(id: arguments[0])
        case "history":
            guard arguments.count <= 1 else {
                return .invalid("usage: \(prefix)history [DURATION], e.g. \(prefix)history 7d")
            }
            guard let text = arguments.first else { return .history(defaultHistory) }
            guard let duration = ConfigValueParser.duration(text, bareUnitSeconds: 3600), duration > .zero else {
                return .invalid("not a duration: \(text.prefix(40)) (e.g. 12h, 7d)")
            }
            return .history(min(duration, longestHistory))
        case "ack":
            guard arguments.count == 1 else { return .invalid("usage: \(prefix)ack KEY") }
            guard let key = SignalKey(parsing: arguments[0]), key.entity?.contains("*") != true else {
                return .invalid("not a key: \(arguments[0].prefix(80)) (see \(prefix)status for the firing keys)")
            }
            return .ack(key)
        default:
            guard addressed else { return .ignored }
            return .invalid("unknown command \(prefix)\(name.prefix(32)); \(prefix)help lists them")
        }
    }

    /// `/silence MATCHER DURATION [REASON]`: MATCHER as in `WATCHDOG_MUTE` (a key, a
    /// family, `family:glob*`; several with commas), DURATION up to 30 days.
    static func silence(_ arguments: [String], prefix: Character) -> ChatCommand {
        let usage =
            "usage: \(prefix)silence MATCHER DURATION [REASON], e.g. \(prefix)silence container_down:web 2h deploy"
        guard arguments.count >= 2 else { return .invalid(usage) }
        var matchers: [SignalKey] = []
        for item in arguments[0].split(separator: ",") where !item.isEmpty {
            guard let key = SignalKey(parsing: String(item)) else {
                return .invalid("not a key, family or glob: \(item.prefix(80))")
            }
            matchers.append(key)
        }
        guard !matchers.isEmpty else { return .invalid(usage) }
        guard matchers.count <= Silence.maximumMatchers else {
            return .invalid("at most \(Silence.maximumMatchers) matchers")
        }
        guard let duration = ConfigValueParser.duration(arguments[1], bareUnitSeconds: 60), duration > .zero else {
            return .invalid("not a duration: \(arguments[1].prefix(40)) (e.g. 30m, 2h, 1d)")
        }
        guard duration <= longestSilence else { return .invalid("at most 30d from the chat") }
        // The reason is bounded where the silence is made, with the API's words.
        return .silence(matchers: matchers, duration: duration, reason: arguments.dropFirst(2).joined(separator: " "))
    }
}

/// What a button's `callback_data` asks (SPEC §13): `ack:<id>`, `s1h:<id>`, `s1d:<id>`.
public enum ButtonRequest: Sendable, Equatable {
    case ack(buttonID: String)
    case silence(buttonID: String, duration: Duration)

    public init?(data: String) {
        let parts = data.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].count <= 32 else { return nil }
        let id = String(parts[1])
        switch parts[0] {
        case "ack": self = .ack(buttonID: id)
        case "s1h": self = .silence(buttonID: id, duration: .seconds(3_600))
        case "s1d": self = .silence(buttonID: id, duration: .seconds(86_400))
        default: return nil
        }
    }

    public var buttonID: String {
        switch self {
        case .ack(let id), .silence(let id, _): id
        }
    }
}
