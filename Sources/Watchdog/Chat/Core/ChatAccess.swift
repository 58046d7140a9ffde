import FoundationEssentials

/// Who wrote or reacted, in no platform's terms.
public struct ChatSender: Sendable, Equatable {
    /// The platform's stable id: a Telegram user id, a Matrix user id. Logged.
    public var id: String
    /// Every name an admins list may give this sender, lowercased: the id, and on
    /// Telegram the username without `@`.
    public var names: [String]
    /// How answers, notes and silences name the sender. Outside text, cut, not escaped.
    public var shownName: String

    public init(id: String, names: [String], shownName: String) {
        self.id = id
        self.names = names.map { $0.lowercased() }
        self.shownName = shownName
    }
}

/// A chat and, within it, a topic or thread: the configured one, or where an event
/// came from.
public struct ChatPlace: Sendable, Equatable {
    /// A Telegram chat id, a Matrix room id.
    public var room: String
    /// A Telegram topic; nil for the configured place means any.
    public var thread: String?

    public init(room: String, thread: String? = nil) {
        self.room = room
        self.thread = thread
    }
}

/// What the chat says of someone who asks (SPEC §12).
public enum ChatVerdict: Sendable, Equatable {
    case allowed
    /// In the configured chat, but not allowed to act: answered "not allowed".
    case refused(reason: String)
    /// Another chat (or no chat): nothing changes and nothing is sent there.
    case elsewhere
}

/// Who may act from the chat, and where (SPEC §12, §13). Pure.
public struct ChatAccess: Sendable, Equatable {
    public enum Rule: Sendable, Equatable {
        /// Every member of the configured place.
        case everyone
        /// The senders one of whose names is listed (lowercased); `list` names the
        /// setting, for the log.
        case listed(Set<String>, list: String)
        /// Matrix without `admins`: members whose power level in the room's
        /// `m.room.power_levels` is at least `minimum`.
        case powerLevel(minimum: Int, levels: [String: Int], usersDefault: Int)
    }

    public var place: ChatPlace
    public var rule: Rule

    public init(place: ChatPlace, rule: Rule) {
        self.place = place
        self.rule = rule
    }

    public func verdict(sender: ChatSender?, place asked: ChatPlace?) -> ChatVerdict {
        guard let asked, asked.room == place.room else { return .elsewhere }
        if let thread = place.thread, asked.thread != thread { return .refused(reason: "another topic") }
        switch rule {
        case .everyone:
            return .allowed
        case .listed(let names, let list):
            guard let sender else { return .refused(reason: "no sender") }
            return sender.names.contains(where: names.contains) ? .allowed : .refused(reason: "not in \(list)")
        case .powerLevel(let minimum, let levels, let usersDefault):
            guard let sender else { return .refused(reason: "no sender") }
            let level = levels[sender.id] ?? usersDefault
            return level >= minimum ? .allowed : .refused(reason: "power level \(level) is below \(minimum)")
        }
    }
}
