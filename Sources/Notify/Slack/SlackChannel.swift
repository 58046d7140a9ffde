import FoundationEssentials
import FoundationGaps
import OutboundHTTP

/// A Slack incoming webhook. The webhook URL is the secret: it is scrubbed from every
/// error text.
public struct SlackChannel: NotificationChannel {
    public let name: String
    public var destination: String { ShownURL.of(webhookURL, pathIsSecret: true) }
    /// Slack allows about one message a second per webhook.
    public let pacing = Pacing(minimumGap: .seconds(1))
    private let webhookURL: String
    private let renderer: SlackRenderer
    private let post: HTTPPost

    public init(name: String = "slack", webhookURL: String, language: Language, post: HTTPPost) {
        self.name = name
        self.webhookURL = webhookURL
        self.renderer = SlackRenderer(language: language)
        self.post = post
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        renderer.render(batch)
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await post.send(url: webhookURL, body: Self.payload(text: message.body), secrets: [webhookURL])
            .plainOutcome(secrets: [webhookURL])
    }

    static func payload(text: String) -> [UInt8] {
        JSONValue.object(["text": JSONValue(text)]).encoded
    }
}
