import OutboundHTTP

/// Slack through the Web API with a bot token (SPEC §2.2, §5): `chat.postMessage` to one
/// channel, repeats and resolves in the alert's thread (`thread_ts`), and the alert
/// updated on resolve (`chat.update`). The token is a secret: it travels in a header and
/// is scrubbed from every error text.
public struct SlackBotChannel: NotificationChannel {
    public let name: String
    public var destination: String { ShownURL.of(apiBaseURL, pathIsSecret: false) + "/chat.postMessage → \(channel)" }
    /// Slack allows about one message a second per channel.
    public let pacing = Pacing(minimumGap: .seconds(1))
    public var threadsReplies: Bool { true }
    private let token: String
    private let channel: String
    private let apiBaseURL: String
    private let renderer: SlackRenderer
    private let post: HTTPPost

    public init(
        name: String = "slack", token: String, channel: String, apiBaseURL: String, language: Language,
        post: HTTPPost
    ) {
        self.name = name
        self.token = token
        self.channel = channel
        self.apiBaseURL = apiBaseURL.trimmingSuffix("/")
        self.renderer = SlackRenderer(language: language)
        self.post = post
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        renderer.render(batch, threaded: true)
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await send(message, links: .none)
    }

    public func send(_ message: OutboundMessage, links: ResolvedLinks) async -> SendOutcome {
        let method: String
        let body: [UInt8]
        if message.links.isEdit {
            guard let ts = links.edit else { return .delivered }
            method = "chat.update"
            body = SlackWebAPI.updateBody(channel: channel, ts: ts, text: message.body)
        } else {
            method = "chat.postMessage"
            body = SlackWebAPI.postMessageBody(channel: channel, text: message.body, threadTS: links.replyTo)
        }
        let answer = await post.send(
            url: "\(apiBaseURL)/\(method)", body: body, contentType: "application/json; charset=utf-8",
            headers: [("Authorization", "Bearer \(token)")], secrets: [token])
        switch answer {
        case .failed(let reason):
            return .retryable(reason: HTTPPost.redact(reason, secrets: [token]), retryAfter: nil)
        case .response(let status, let headers, let responseBody):
            switch SlackWebAPI.classify(status: status, body: responseBody, retryAfter: HTTPPost.retryAfter(headers)) {
            case .delivered(let ts):
                return ts.map { .deliveredAs(reference: $0) } ?? .delivered
            case .retry(let reason, let after):
                return .retryable(reason: "\(method): " + HTTPPost.redact(reason, secrets: [token]), retryAfter: after)
            case .rejected(let reason):
                return .permanent(reason: "\(method): " + HTTPPost.redact(reason, secrets: [token]))
            }
        }
    }
}
