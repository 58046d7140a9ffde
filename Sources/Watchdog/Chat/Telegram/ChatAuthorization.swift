import FoundationEssentials

/// Who may act from a Telegram chat (SPEC §12, §13): `ChatAccess` in Telegram's terms.
/// Pure.
public struct ChatAuthorization: Sendable {
    public typealias Verdict = ChatVerdict

    /// Lowercased usernames without `@`, and user ids; empty: every member may act.
    public let admins: Set<String>
    public let threadID: Int?

    public init(admins: [String], threadID: Int?) {
        self.admins = Set(admins.map { $0.lowercased() })
        self.threadID = threadID
    }

    /// The rule of the configured chat as it is now (`chatID`: after a migration, the new id).
    public func access(chatID: String) -> ChatAccess {
        ChatAccess(
            place: ChatPlace(room: chatID, thread: threadID.map(String.init)),
            rule: admins.isEmpty ? .everyone : .listed(admins, list: "WATCHDOG_TELEGRAM_ADMINS"))
    }

    public func check(sender: TelegramUpdate.Sender?, chat: Int64?, thread: Int64?, chatID: String) -> Verdict {
        access(chatID: chatID).verdict(
            sender: sender?.chatSender,
            place: chat.map { ChatPlace(room: String($0), thread: thread.map(String.init)) })
    }
}

extension TelegramUpdate.Sender {
    /// The sender as the chat core sees it: known by id and by username.
    public var chatSender: ChatSender {
        ChatSender(id: String(id), names: [String(id)] + (username.map { [$0] } ?? []), shownName: shownName)
    }
}
