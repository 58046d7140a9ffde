import Logging
import OutboundHTTP
import Synchronization

/// Where and how to send Telegram messages.
public struct TelegramSettings: Sendable {
    public var token: String
    public var chatID: String
    public var threadID: Int?
    public var silentResolved: Bool
    public var apiBaseURL: String
    /// Read the chat: commands and buttons (SPEC §13).
    public var commands: Bool
    /// Who may act from the chat: user ids and usernames (without `@`); empty: anyone in
    /// the configured chat.
    public var admins: [String]

    public init(
        token: String, chatID: String, threadID: Int?, silentResolved: Bool, apiBaseURL: String,
        commands: Bool = false, admins: [String] = []
    ) {
        self.token = token
        self.chatID = chatID
        self.threadID = threadID
        self.silentResolved = silentResolved
        self.apiBaseURL = apiBaseURL
        self.commands = commands
        self.admins = admins
    }
}

/// Telegram Bot API `sendMessage` in HTML parse mode.
///
/// The token is part of the request URL, so every error text is scrubbed of it. When
/// the API says a group was upgraded (`migrate_to_chat_id`), the new chat id is used
/// from then on, logged so the operator can update `WATCHDOG_TELEGRAM_CHAT_ID`, and the
/// message is re-sent at once.
public final class TelegramChannel: NotificationChannel {
    public let name: String
    public var destination: String {
        ShownURL.of(settings.apiBaseURL.trimmingSuffix("/"), pathIsSecret: false) + "/bot<redacted>/sendMessage"
    }
    public let pacing: Pacing
    public var threadsReplies: Bool { true }
    public let settings: TelegramSettings
    public let renderer: TelegramRenderer
    private let post: HTTPPost
    private let logger: Logger
    private let chatID: Mutex<String>

    public init(
        name: String = "telegram", settings: TelegramSettings, language: Language, post: HTTPPost, logger: Logger
    ) {
        self.name = name
        self.settings = settings
        self.renderer = TelegramRenderer(
            language: language, silentResolved: settings.silentResolved, buttons: settings.commands)
        self.post = post
        self.logger = logger
        self.chatID = Mutex(settings.chatID)
        // Telegram: about one message a second to a chat, and 20 a minute to a group
        // (group and supergroup ids are negative).
        self.pacing =
            settings.chatID.hasPrefix("-")
            ? Pacing(minimumGap: .seconds(1), windowLimit: 20, window: .seconds(60))
            : Pacing(minimumGap: .seconds(1))
    }

    public var currentChatID: String { chatID.withLock { $0 } }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        renderer.render(batch)
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await send(message, links: .none)
    }

    public func send(_ message: OutboundMessage, links: ResolvedLinks) async -> SendOutcome {
        if message.links.isEdit {
            guard let target = links.edit else { return .delivered }
            let body = TelegramAPI.editMessageTextBody(
                chatID: currentChatID, messageID: target, text: message.body,
                buttons: links.buttons.map(renderer.keyboard(buttonID:)) ?? [])
            return outcome(await call("editMessageText", body: body))
        }
        let first = await attempt(message, links: links, chatID: currentChatID)
        guard case .migrate(let newChatID) = first else { return outcome(first) }
        let oldChatID = chatID.withLock { old in
            defer { old = newChatID }
            return old
        }
        logger.notice(
            "telegram chat was upgraded; sending to the new chat id (update WATCHDOG_TELEGRAM_CHAT_ID)",
            metadata: ["old_chat_id": "\(oldChatID)", "new_chat_id": "\(newChatID)"])
        let second = await attempt(message, links: links, chatID: newChatID)
        if case .migrate = second { return .permanent(reason: "chat migrated twice in a row") }
        return outcome(second)
    }

    private func attempt(_ message: OutboundMessage, links: ResolvedLinks, chatID: String) async
        -> TelegramAPI.Verdict
    {
        let body = TelegramAPI.sendMessageBody(
            chatID: chatID, threadID: settings.threadID, text: message.body, silent: message.silent,
            replyTo: links.replyTo, buttons: links.buttons.map(renderer.keyboard(buttonID:)) ?? [])
        return await call("sendMessage", body: body)
    }

    /// One Bot API call, its answer classified.
    public func call(_ method: String, body: [UInt8], post: HTTPPost? = nil) async -> TelegramAPI.Verdict {
        switch await raw(method, body: body, post: post) {
        case .failed(let reason):
            return .retry(reason: reason, after: nil)
        case .response(let status, _, let responseBody):
            return TelegramAPI.classify(status: status, body: responseBody)
        }
    }

    /// One Bot API call as it came back (the poller reads `result`). Errors never hold
    /// the token: it is in the URL.
    public func raw(_ method: String, body: [UInt8], post: HTTPPost? = nil) async -> HTTPPostResult {
        let url = "\(settings.apiBaseURL.trimmingSuffix("/"))/bot\(settings.token)/\(method)"
        return await (post ?? self.post).send(url: url, body: body, secrets: [settings.token])
    }

    /// Text from or about the API with the token taken out.
    public func scrub(_ text: String) -> String {
        HTTPPost.redact(text, secrets: [settings.token])
    }

    private func outcome(_ verdict: TelegramAPI.Verdict) -> SendOutcome {
        let scrub = { (text: String) in HTTPPost.redact(text, secrets: [self.settings.token]) }
        switch verdict {
        case .delivered: return .delivered
        case .deliveredAs(let id): return .deliveredAs(reference: id)
        case .retry(let reason, let after): return .retryable(reason: scrub(reason), retryAfter: after)
        case .rejected(let reason): return .permanent(reason: scrub(reason))
        case .migrate: return .permanent(reason: "unexpected chat migration")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
