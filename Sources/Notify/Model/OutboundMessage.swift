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

    public init(id: String, body: String, silent: Bool = false) {
        self.id = id
        self.body = body
        self.silent = silent
    }
}
