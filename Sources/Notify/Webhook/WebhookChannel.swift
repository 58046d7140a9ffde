import OutboundHTTP

/// A generic JSON webhook receiving the Alertmanager webhook payload (version 4). The
/// URL may carry a token, so it is treated as a secret.
public struct WebhookChannel: NotificationChannel {
    public let name = "webhook"
    public var destination: String { ShownURL.of(url, pathIsSecret: true) }
    private let url: String
    private let post: HTTPPost

    public init(url: String, post: HTTPPost) {
        self.url = url
        self.post = post
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        [OutboundMessage(id: batch.id, body: WebhookPayload.body(for: batch.notifications))]
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await post.send(url: url, body: Array(message.body.utf8), secrets: [url]).plainOutcome(secrets: [url])
    }
}
