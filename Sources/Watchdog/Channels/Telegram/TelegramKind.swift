import Notify
import OutboundHTTP

/// `tgram://BOT_TOKEN/CHAT_ID[:TOPIC]` (SPEC §5.1), Telegram as Apprise writes it: the
/// bot token (`123456:ABC…`) first, then the chat (a numeric id, negative for groups,
/// or `@channelname`), optionally with a forum topic after a `:` (or `?topic=`). One
/// chat per channel: give another chat its own variable. The API base is
/// `WATCHDOG_TELEGRAM_API_URL`; resolved messages are silent, as by default.
public enum TelegramKind: URLChannelKind {
    public static let schemes = ["tgram"]
    public static let kind = "telegram"

    /// Apprise's rewrite: `tgram://[bot]123456:ABC/…` → `tgram://123456/ABC/…`, so the
    /// token's `:` is not read as a port.
    public static func normalized(_ text: String) -> String {
        guard let separator = text.firstRange(of: "://") else { return text }
        var rest = text[separator.upperBound...]
        var prefix = ""
        if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/") {
            prefix = String(rest[...at])
            rest = rest[rest.index(after: at)...]
        }
        if rest.lowercased().hasPrefix("bot") { rest = rest.dropFirst(3) }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return text }
        var after = rest[digits.endIndex...]
        var colons = 0
        while after.hasPrefix(":") || after.lowercased().hasPrefix("%3a") {
            after = after.hasPrefix(":") ? after.dropFirst() : after.dropFirst(3)
            colons += 1
        }
        guard colons > 0 else { return text }
        return "\(text[..<separator.upperBound])\(prefix)\(digits)/\(after)"
    }

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> TelegramSettings
    {
        guard !url.host.isEmpty, url.host.allSatisfy({ $0.isASCII && $0.isNumber }), var targets = Optional(url.path),
            !targets.isEmpty
        else { throw .missing("the bot token (123456:ABC…)") }
        let secondHalf = targets.removeFirst()
        guard secondHalf.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw .invalid("bot token")
        }
        if let more = url.query["to"] { targets += more.split(separator: ",").map(String.init) }
        guard let target = targets.first else { throw .missing("a chat id after the bot token") }
        guard targets.count == 1 else { throw .invalid("chat list (one chat per channel)") }
        var chat = Substring(target)
        var topic: Int?
        if let colon = chat.lastIndex(of: ":") {
            guard let number = Int(chat[chat.index(after: colon)...]), number > 0 else { throw .invalid("topic") }
            topic = number
            chat = chat[..<colon]
        }
        if let text = url.query["topic"] ?? url.query["thread"], !text.isEmpty {
            guard let number = Int(text), number > 0 else { throw .invalid("topic") }
            topic = number
        }
        let name = chat.hasPrefix("@") ? chat.dropFirst() : chat
        let numeric = Int64(chat) != nil
        guard
            numeric || (!name.isEmpty && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { throw .invalid("chat (a numeric id or @channelname)") }
        return TelegramSettings(
            token: "\(url.host):\(secondHalf)", chatID: numeric ? String(chat) : "@" + name, threadID: topic,
            silentResolved: url.flag("silent", default: true),
            apiBaseURL: context.apiBaseURL("telegram", fallback: "https://api.telegram.org"))
    }

    public static func host(of settings: TelegramSettings) -> String {
        ShownURL.authority(of: settings.apiBaseURL) ?? "api.telegram.org"
    }

    public static func channel(named name: String, settings: TelegramSettings, context: ChannelContext)
        -> any NotificationChannel
    {
        TelegramChannel(
            name: name, settings: settings, language: context.configuration.language, post: context.post,
            logger: context.logger)
    }
}
