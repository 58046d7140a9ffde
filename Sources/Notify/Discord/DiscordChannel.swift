import FoundationEssentials
import OutboundHTTP

/// Where a Discord webhook is and how to post to it.
public struct DiscordSettings: Sendable {
    public var webhookID: String
    public var token: String
    /// `https://discord.com/api`, or `WATCHDOG_DISCORD_API_URL`.
    public var apiBaseURL: String
    /// A thread of a forum or text channel to post in (`?thread=`).
    public var threadID: String?
    /// The sender's name shown instead of the webhook's (`?botname=`).
    public var username: String?

    public init(webhookID: String, token: String, apiBaseURL: String, threadID: String? = nil, username: String? = nil)
    {
        self.webhookID = webhookID
        self.token = token
        self.apiBaseURL = apiBaseURL
        self.threadID = threadID
        self.username = username
    }
}

/// A Discord webhook (SPEC §5.1): an embed per notification, the fire edited on resolve
/// (`PATCH …/messages/{id}`), 429s waited as the body says. The token is in the URL
/// path, so every error text is scrubbed of it.
public struct DiscordChannel: NotificationChannel {
    public let name: String
    public var destination: String {
        ShownURL.of(settings.apiBaseURL, pathIsSecret: false) + "/webhooks/\(settings.webhookID)/<redacted>"
    }
    /// Discord allows a webhook 5 requests in 2 seconds and a channel 30 messages a minute.
    public let pacing = Pacing(minimumGap: .milliseconds(500), windowLimit: 30, window: .seconds(60))
    private let settings: DiscordSettings
    private let renderer: DiscordRenderer
    private let post: HTTPPost

    public init(name: String, settings: DiscordSettings, language: Language, post: HTTPPost) {
        self.name = name
        var settings = settings
        settings.apiBaseURL = settings.apiBaseURL.trimmingSuffix("/")
        self.settings = settings
        self.renderer = DiscordRenderer(language: language, username: settings.username)
        self.post = post
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        renderer.render(batch)
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await send(message, links: .none)
    }

    public func send(_ message: OutboundMessage, links: ResolvedLinks) async -> SendOutcome {
        let secrets = [settings.token]
        let url: String
        let method: HTTPPost.Method
        if message.links.isEdit {
            // The fire was never delivered (or is too old to be known): its resolve said it.
            guard let id = links.edit else { return .delivered }
            url = DiscordAPI.editURL(
                base: settings.apiBaseURL, id: settings.webhookID, token: settings.token, message: id,
                threadID: settings.threadID)
            method = .patch
        } else {
            url = DiscordAPI.postURL(
                base: settings.apiBaseURL, id: settings.webhookID, token: settings.token, threadID: settings.threadID)
            method = .post
        }
        let answer = await post.send(url: url, method: method, body: Array(message.body.utf8), secrets: secrets)
        switch answer {
        case .failed(let reason):
            return .retryable(reason: HTTPPost.redact(reason, secrets: secrets), retryAfter: nil)
        case .response(let status, let headers, let body):
            let what = method == .patch ? "edit" : "post"
            switch DiscordAPI.classify(status: status, body: body, retryAfterHeader: HTTPPost.retryAfter(headers)) {
            case .delivered(let id):
                return id.map { .deliveredAs(reference: $0) } ?? .delivered
            case .retry(let reason, let after):
                return .retryable(reason: "\(what): " + HTTPPost.redact(reason, secrets: secrets), retryAfter: after)
            case .rejected(let reason):
                return .permanent(reason: "\(what): " + HTTPPost.redact(reason, secrets: secrets))
            }
        }
    }
}
