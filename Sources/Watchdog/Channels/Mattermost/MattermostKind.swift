import Notify

/// `mmost://[botname@]host[:port][/path]/TOKEN[?channel=NAME]` and `mmosts://…` (SPEC
/// §5.1), a Mattermost incoming webhook as Apprise reads it: the last path segment is
/// the hook's token, what comes before it the server's path; the hook is at
/// `…/hooks/TOKEN`. `?channel=` (or `?to=`) overrides the hook's channel where the hook
/// allows it; `?botname=` the name shown.
public enum MattermostKind: URLChannelKind {
    public struct Settings: Sendable {
        public var hookURL: String
        public var host: String
        public var username: String?
        public var channel: String?
    }

    public static let schemes = ["mmost", "mmosts"]
    public static let kind = "mattermost"

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError) -> Settings {
        guard !url.host.isEmpty else { throw .missing("a host") }
        var path = url.path
        guard let token = path.popLast(), !token.isEmpty,
            token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { throw .missing("the webhook's token after the host") }
        let hook = url.httpURL(path: path + ["hooks", token])
        let channels = (url.query["channel"] ?? url.query["channels"] ?? url.query["to"] ?? "")
            .split(separator: ",").map(String.init)
        guard channels.count <= 1 else { throw .invalid("channel list (one channel per variable)") }
        return Settings(
            hookURL: hook, host: url.host, username: url.query["botname"] ?? url.user, channel: channels.first)
    }

    public static func host(of settings: Settings) -> String { settings.host }

    public static func channel(named name: String, settings: Settings, context: ChannelContext)
        -> any NotificationChannel
    {
        MattermostChannel(
            name: name, hookURL: settings.hookURL, username: settings.username, channel: settings.channel,
            language: context.configuration.language, post: context.post)
    }
}
