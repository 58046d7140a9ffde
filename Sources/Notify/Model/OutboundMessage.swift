/// One API call's worth of a rendered notification, as the outbox stores it.
///
/// Rendering happens once, when the notification is queued: a message split in three
/// for Telegram's length limit is three outbound messages, so a retry never resends a
/// part that was already delivered.
public struct OutboundMessage: Sendable, Codable, Equatable, Identifiable {
    /// Stable: the notification's id (or the digest's), plus the part number when split.
    public let id: String
    /// The channel's payload: Telegram HTML, Slack mrkdwn, a JSON document, a log line.
    public let body: String
    /// Deliver without a sound where the channel can (Telegram resolved messages).
    public let silent: Bool
    /// Its place among the channel's messages: a thread, an edit, buttons (SPEC §5).
    public let links: MessageLinks
    /// The ids of the notifications that announce a problem (a fire, a settled flap still
    /// firing) this message carries: once it is delivered the engine knows the problem
    /// reached someone, and escalation counts from then (SPEC §4.3).
    public var announces: [String] = []

    public init(id: String, body: String, silent: Bool = false, links: MessageLinks = .none) {
        self.id = id
        self.body = body
        self.silent = silent
        self.links = links
    }

    /// This message, saying which of `notifications` it announces.
    public func announcing(_ notifications: [AlertNotification]) -> OutboundMessage {
        var message = self
        message.announces = notifications.filter(\.announcesProblem).map(\.id)
        return message
    }

    /// The edit that makes a fire's message say how it ended (SPEC §5: channels that can
    /// edit do so on resolve), sent after the resolve itself.
    public static func fireEdit(of notification: AlertNotification, body: String) -> OutboundMessage {
        OutboundMessage(id: "\(notification.id):edit", body: body, links: MessageLinks(editsKey: notification.key))
    }

    enum CodingKeys: String, CodingKey {
        case id, body, silent, links, announces
    }

    /// Outboxes saved before threads have no links.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        body = try container.decode(String.self, forKey: .body)
        silent = try container.decodeIfPresent(Bool.self, forKey: .silent) ?? false
        links = try container.decodeIfPresent(MessageLinks.self, forKey: .links) ?? .none
        announces = try container.decodeIfPresent([String].self, forKey: .announces) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(body, forKey: .body)
        try container.encode(silent, forKey: .silent)
        if links != .none { try container.encode(links, forKey: .links) }
        if !announces.isEmpty { try container.encode(announces, forKey: .announces) }
    }
}
