import Notify
import OutboundHTTP

/// `slack://` (SPEC §5.1), Slack as Apprise writes it: `slack://TOKEN_A/TOKEN_B/TOKEN_C`
/// is the incoming webhook `https://hooks.slack.com/services/TOKEN_A/TOKEN_B/TOKEN_C`
/// (also accepted as it is), and `slack://[botname@]xoxb-…/#channel` the Web API with a
/// bot token, threading and updating its messages like `WATCHDOG_SLACK_BOT_TOKEN` (its
/// API base is `WATCHDOG_SLACK_API_URL`). A bot posts to one channel: give another its
/// own variable.
public enum SlackKind: URLChannelKind {
    public static let schemes = ["slack"]
    public static let kind = "slack"
    static let hooksURL = "https://hooks.slack.com/services"

    public static func takesNative(_ url: AppriseURL) -> Bool {
        url.scheme == "https" && url.host.lowercased() == "hooks.slack.com" && url.path.first == "services"
    }

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> SlackSettings
    {
        func isToken(_ text: String) -> Bool {
            !text.isEmpty && text.count <= 200
                && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        }
        if takesNative(url) {
            let tokens = Array(url.path.dropFirst())
            guard tokens.count == 3, tokens.allSatisfy(isToken) else { throw .invalid("webhook path") }
            return .webhook(Secret(hooksURL + "/" + tokens.joined(separator: "/")))
        }
        var entries = url.path
        if let more = url.query["to"] { entries += more.split(separator: ",").map(String.init) }
        if url.host.lowercased().hasPrefix("xox") {
            guard isToken(url.host) else { throw .invalid("bot token") }
            let channels = entries.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }.filter { !$0.isEmpty }
            guard let channel = channels.first else { throw .missing("a #channel after the bot token") }
            guard channels.count == 1 else { throw .invalid("channel list (one channel per bot channel)") }
            guard channel.count <= 80, isToken(channel) else { throw .invalid("channel") }
            return .bot(
                token: Secret(url.host), channel: channel,
                apiBaseURL: context.apiBaseURL("slack", fallback: "https://slack.com/api"))
        }
        let tokens = [url.host] + entries.prefix(2)
        guard tokens.count == 3, tokens.allSatisfy(isToken) else {
            throw .missing("the webhook's three tokens (slack://A/B/C) or a bot token (xoxb-…)")
        }
        return .webhook(Secret(hooksURL + "/" + tokens.joined(separator: "/")))
    }

    public static func host(of settings: SlackSettings) -> String {
        switch settings {
        case .webhook: "hooks.slack.com"
        case .bot(_, _, let apiBaseURL):
            ShownURL.authority(of: apiBaseURL) ?? "slack.com"
        }
    }

    public static func channel(named name: String, settings: SlackSettings, context: ChannelContext)
        -> any NotificationChannel
    {
        switch settings {
        case .webhook(let url):
            SlackChannel(
                name: name, webhookURL: url.value, language: context.configuration.language, post: context.post)
        case .bot(let token, let channel, let apiBaseURL):
            SlackBotChannel(
                name: name, token: token.value, channel: channel, apiBaseURL: apiBaseURL,
                language: context.configuration.language, post: context.post)
        }
    }
}
