import Notify
import OutboundHTTP

/// `discord://[BOTNAME@]WEBHOOK_ID/WEBHOOK_TOKEN[?thread=ID&botname=NAME]`, and the
/// webhook URL Discord itself gives (`https://discord.com/api/webhooks/ID/TOKEN`), read
/// as Apprise reads them (SPEC §5.1). The API base is `WATCHDOG_DISCORD_API_URL`.
public enum DiscordKind: URLChannelKind {
    public static let schemes = ["discord"]
    public static let kind = "discord"
    static let hosts: Set<String> = ["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"]

    public static func takesNative(_ url: AppriseURL) -> Bool {
        ["https", "http"].contains(url.scheme) && hosts.contains(url.host.lowercased())
            && url.path.starts(with: ["api", "webhooks"])
    }

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> DiscordSettings
    {
        let id: String
        let token: String?
        var username = url.user
        if takesNative(url) {
            id = url.path.count > 2 ? url.path[2] : ""
            token = url.path.count > 3 ? url.path[3] : nil
            username = nil
        } else {
            id = url.host
            token = url.path.first
        }
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isNumber }), id.count <= 24 else {
            throw .invalid("webhook id (digits)")
        }
        guard let token, !token.isEmpty, token.count <= 200,
            token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw .missing("the webhook token after the id") }
        if let name = url.query["botname"], !name.isEmpty { username = name }
        let thread = url.query["thread"].flatMap { $0.isEmpty ? nil : $0 }
        if let thread, !thread.allSatisfy({ $0.isASCII && $0.isNumber }) { throw .invalid("thread (digits)") }
        return DiscordSettings(
            webhookID: id, token: token,
            apiBaseURL: context.apiBaseURL("discord", fallback: "https://discord.com/api"), threadID: thread,
            username: username)
    }

    public static func host(of settings: DiscordSettings) -> String {
        ShownURL.authority(of: settings.apiBaseURL) ?? "discord.com"
    }

    public static func channel(named name: String, settings: DiscordSettings, context: ChannelContext)
        -> any NotificationChannel
    {
        DiscordChannel(name: name, settings: settings, language: context.configuration.language, post: context.post)
    }
}
