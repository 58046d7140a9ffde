import FoundationEssentials
import FoundationGaps
import OutboundHTTP

/// A Mattermost incoming webhook (SPEC §5.1): a Slack-compatible attachment per
/// notification, its colour by action, outside text made inert for Mattermost's
/// markdown and its mentions (`@channel`, `@all`, a user) broken so nobody is pinged.
/// The hook's URL holds its secret, so every error text is scrubbed of it. No edits.
public struct MattermostChannel: NotificationChannel {
    public let name: String
    public var destination: String { ShownURL.of(hookURL, pathIsSecret: true) }
    /// Mattermost rate-limits by IP (10 a second by default); stay far below.
    public let pacing = Pacing(minimumGap: .milliseconds(250))
    private let hookURL: String
    private let username: String?
    private let channel: String?
    private let strings: RenderStrings
    private let post: HTTPPost
    let markup = ChatMarkup.mattermostMarkdown
    /// Mattermost refuses a post over 16,383 characters.
    static let textLimit = 15_000

    public init(
        name: String, hookURL: String, username: String? = nil, channel: String? = nil, language: Language,
        post: HTTPPost
    ) {
        self.name = name
        self.hookURL = hookURL
        self.username = username
        self.channel = channel
        self.strings = RenderStrings.of(language)
        self.post = post
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let text = markup.titled(batch, strings: strings, budget: Self.textLimit)
        let title = text.title
        let colour = DiscordRenderer.colour(batch)
        var attachment: [String: JSONValue] = [
            "fallback": JSONValue(ChannelText.cut(title, to: 300)), "title": JSONValue(ChannelText.cut(title, to: 300)),
            "text": JSONValue(ChannelText.cut(text.body, to: Self.textLimit)),
            "color": JSONValue("#" + String(colour, radix: 16, uppercase: true)),
        ]
        attachment["mrkdwn_in"] = .array([JSONValue("text")])
        var object: [String: JSONValue] = ["attachments": .array([.object(attachment)])]
        if let username { object["username"] = JSONValue(username) }
        if let channel { object["channel"] = JSONValue(channel) }
        return [OutboundMessage(id: batch.id, body: JSONValue.object(object).encodedString)]
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let answer = await post.send(url: hookURL, body: Array(message.body.utf8), secrets: [hookURL])
        // {"id": "web.incoming_webhook.…", "message": "…", "status_code": 400}, or plain text.
        return answer.plainOutcome(secrets: [hookURL]) { body in
            JSONValue.parse(body)?["message"]?.stringValue ?? String(decoding: body, as: UTF8.self)
        }
    }
}

extension ChatMarkup {
    /// Mattermost's markdown: a backslash before every markup character of outside
    /// text, and a zero-width space after every `@`, so `@channel`, `@all` or `@someone`
    /// in a container name or an error text mentions nobody.
    public static let mattermostMarkdown = ChatMarkup.markdown(escaping: "\\*_~`|>#-[]()<", breakingMentions: true)
}
