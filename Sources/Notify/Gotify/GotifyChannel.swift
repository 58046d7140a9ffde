import FoundationEssentials
import FoundationGaps
import OutboundHTTP

/// Where a Gotify server is and the application token to post with.
public struct GotifySettings: Sendable {
    /// `http(s)://host[:port][/path]`, without the trailing `/message`.
    public var serverURL: String
    public var token: String
    /// A priority the URL fixes for every message (`?priority=high`), else by severity.
    public var fixedPriority: Int?

    public init(serverURL: String, token: String, fixedPriority: Int? = nil) {
        self.serverURL = serverURL
        self.token = token
        self.fixedPriority = fixedPriority
    }
}

/// Gotify (SPEC §5.1): `POST /message` with the application token in `X-Gotify-Key`,
/// plain text, its priority by severity (critical 8, warning 5, a resolve 2, on Gotify's
/// 0–10 scale, where the Android app makes 8 and above loud). No edits.
public struct GotifyChannel: NotificationChannel {
    public let name: String
    public var destination: String { ShownURL.of(settings.serverURL, pathIsSecret: false) + "/message" }
    private let settings: GotifySettings
    private let strings: RenderStrings
    private let post: HTTPPost
    private let markup = ChatMarkup.plain

    public init(name: String, settings: GotifySettings, language: Language, post: HTTPPost) {
        self.name = name
        var settings = settings
        settings.serverURL = settings.serverURL.trimmingSuffix("/")
        self.settings = settings
        self.strings = RenderStrings.of(language)
        self.post = post
    }

    /// Gotify's 0–10 scale: critical 8, warning 5, flapping 4, a problem over 2.
    static let scale = PriorityScale(critical: 8, warning: 5, flapping: 4, over: 2)

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let text = markup.titled(batch, strings: strings, budget: 8_000)
        let body = JSONValue.object([
            "title": JSONValue(ChannelText.cut(text.title, to: 250)), "message": JSONValue(text.body),
            "priority": .integer(Int64(settings.fixedPriority ?? Self.scale.priority(of: batch))),
        ])
        return [OutboundMessage(id: batch.id, body: body.encodedString)]
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let secrets = [settings.token]
        let answer = await post.send(
            url: settings.serverURL + "/message", body: Array(message.body.utf8),
            headers: [("X-Gotify-Key", settings.token)], secrets: secrets)
        // {"error": "Unauthorized", "errorCode": 401, "errorDescription": "…"}
        return answer.plainOutcome(secrets: secrets) { body in
            let object = JSONValue.parse(body)
            return object?["errorDescription"]?.stringValue ?? object?["error"]?.stringValue
        }
    }
}
