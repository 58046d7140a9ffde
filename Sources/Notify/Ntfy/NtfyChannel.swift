import FoundationEssentials
import FoundationGaps
import OutboundHTTP

/// Where an ntfy server is, its topics, and how to authenticate.
public struct NtfySettings: Sendable {
    public enum Authentication: Sendable, Equatable {
        case none
        case basic(user: String, password: String)
        case token(String)
    }

    /// `https://ntfy.sh`, or the self-hosted server's `http(s)://host:port`.
    public var serverURL: String
    public var topics: [String]
    public var authentication: Authentication
    /// A priority the URL fixes for every message (`?priority=high`), else by severity.
    public var fixedPriority: Int?
    /// Tags the URL adds (`?tags=`).
    public var tags: [String]

    public init(
        serverURL: String, topics: [String], authentication: Authentication = .none, fixedPriority: Int? = nil,
        tags: [String] = []
    ) {
        self.serverURL = serverURL
        self.topics = topics
        self.authentication = authentication
        self.fixedPriority = fixedPriority
        self.tags = tags
    }

    /// The secrets to scrub from error texts.
    var secrets: [String] {
        switch authentication {
        case .none: []
        case .basic(let user, let password): [password, Self.basic(user, password)]
        case .token(let token): [token]
        }
    }

    static func basic(_ user: String, _ password: String) -> String {
        Data((user + ":" + password).utf8).base64EncodedString()
    }
}

/// ntfy (SPEC §5.1), self-hosted or ntfy.sh: one JSON message per notification and
/// topic, its priority by severity (critical 5, warning 4; a resolve 2), the family and
/// the severity as tags, plain text. ntfy cannot edit a message: a resolve is its own
/// message.
public struct NtfyChannel: NotificationChannel {
    public let name: String
    public var destination: String {
        ShownURL.of(settings.serverURL, pathIsSecret: false) + " → " + settings.topics.joined(separator: ", ")
    }
    /// ntfy.sh allows a burst of 60 and then one message every 5 seconds per visitor; a
    /// self-hosted server is usually configured alike.
    public let pacing = Pacing(minimumGap: .milliseconds(200), windowLimit: 60, window: .seconds(300))
    private let settings: NtfySettings
    private let strings: RenderStrings
    private let post: HTTPPost
    private let markup = ChatMarkup.plain

    public init(name: String, settings: NtfySettings, language: Language, post: HTTPPost) {
        self.name = name
        var settings = settings
        settings.serverURL = settings.serverURL.trimmingSuffix("/")
        self.settings = settings
        self.strings = RenderStrings.of(language)
        self.post = post
    }

    /// ntfy's priorities: critical 5 (max), warning 4 (high), flapping 3, the end of a
    /// problem 2.
    static let scale = PriorityScale(critical: 5, warning: 4, flapping: 3, over: 2)

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let text = markup.titled(
            batch, strings: strings, budget: NtfyAPI.messageLimit - 200, measure: { $0.utf8.count })
        var tags: [String]
        var ackLink: String?
        switch batch {
        case .single(let notification):
            tags = [notification.family, notification.severity.rawValue]
            ackLink = notification.ackLink
        case .digest: tags = ["digest"]
        }
        tags += settings.tags
        let priority = settings.fixedPriority ?? Self.scale.priority(of: batch)
        return settings.topics.map { topic in
            OutboundMessage(
                id: settings.topics.count == 1 ? batch.id : "\(batch.id):\(topic)",
                body: NtfyAPI.publishBody(
                    topic: topic, title: text.title, message: text.body, priority: priority, tags: tags,
                    ackLink: ackLink, ackLabel: strings.ackButton))
        }
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        var headers: [(String, String)] = []
        switch settings.authentication {
        case .none: break
        case .basic(let user, let password):
            headers.append(("Authorization", "Basic " + NtfySettings.basic(user, password)))
        case .token(let token): headers.append(("Authorization", "Bearer " + token))
        }
        let secrets = settings.secrets
        let answer = await post.send(
            url: settings.serverURL + "/", body: Array(message.body.utf8), headers: headers, secrets: secrets)
        // {"code": 40301, "http": 403, "error": "forbidden"}; ntfy names no wait on a 429.
        return answer.plainOutcome(secrets: secrets) { body in
            let object = JSONValue.parse(body)
            guard let error = object?["error"]?.stringValue else { return nil }
            return error + (object?["code"]?.numberText.map { " (\($0))" } ?? "")
        }
    }
}

extension ChatMarkup {
    /// Plain text (ntfy, a push notification): no markup, so nothing to escape but what
    /// `oneLine` already removes.
    public static let plain = ChatMarkup(bold: { $0 }, code: { $0 }, italic: { $0 }, escape: { $0 })
}
