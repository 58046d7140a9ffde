/// What happened when a channel tried to deliver one message.
public enum SendOutcome: Sendable, Equatable {
    /// The API acknowledged the message; it is never sent again.
    case delivered
    /// Worth another try: a timeout, a connection error, a 5xx or a 429. `retryAfter` is
    /// the wait the API asked for, in seconds, when it named one; it is honoured exactly.
    case retryable(reason: String, retryAfter: Double?)
    /// Trying again cannot help (a 4xx other than 429): logged with the API's reason,
    /// counted and dropped.
    case permanent(reason: String)
}

/// One destination for notifications: Telegram, Slack, a webhook, Alertmanager, the
/// console.
///
/// A channel is a thin adapter to one API: it renders a batch into the messages it
/// will send (pure), sends one message, and says whether a failure is worth retrying.
/// Queueing, persistence, retries, backoff and pacing live in `ChannelOutbox`.
public protocol NotificationChannel: Sendable {
    /// Stable name used in logs, metrics, the state file and `--channel`.
    var name: String { get }
    /// How fast the API lets us send.
    var pacing: Pacing { get }
    /// Whether many notifications of one tick are folded into one digest message.
    var usesDigests: Bool { get }

    /// Pure: the messages that carry `batch`, in sending order.
    func render(_ batch: NotificationBatch) -> [OutboundMessage]
    /// Sends one message. Never throws: every failure is classified.
    func send(_ message: OutboundMessage) async -> SendOutcome
}

extension NotificationChannel {
    public var pacing: Pacing { .unlimited }
    public var usesDigests: Bool { true }
}
