import OutboundHTTP

/// A generic JSON webhook receiving the Alertmanager webhook payload (version 4). The
/// URL may carry a token, so it is treated as a secret.
public struct WebhookChannel: NotificationChannel {
    public let name: String
    public var destination: String { ShownURL.of(url, pathIsSecret: true) }
    private let url: String
    /// Sent with every request (a `json://` URL's `+Header=value` options, its basic
    /// authentication): secrets, scrubbed from every error text.
    private let headers: [(String, String)]
    private let post: HTTPPost

    public init(name: String = "webhook", url: String, headers: [(String, String)] = [], post: HTTPPost) {
        self.name = name
        self.url = url
        self.headers = headers
        self.post = post
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        [OutboundMessage(id: batch.id, body: WebhookPayload.body(for: batch.notifications))]
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let secrets = [url] + headers.map(\.1)
        return await post.send(url: url, body: Array(message.body.utf8), headers: headers, secrets: secrets)
            .plainOutcome(secrets: secrets)
    }
}
