/// What happened when a channel tried to deliver one message.
public enum SendOutcome: Sendable, Equatable {
    /// The API acknowledged the message; it is never sent again.
    case delivered
    /// Worth another try: a timeout, a connection error, a 5xx or a 429. `retryAfter`
    /// is the wait the API asked for, in seconds, when it named one.
    case retryable(reason: String, retryAfter: Double?)
    /// Trying again cannot help (a 4xx other than 429): logged, counted and dropped.
    case permanent(reason: String)
}

/// One destination for notifications: Telegram, Slack, a webhook, Alertmanager, the
/// console. A channel renders a notification in its own format and sends it, and says
/// whether a failure is worth retrying; queueing, retries and pacing live outside it,
/// so each channel stays a thin adapter to one API.
public protocol NotificationChannel: Sendable {
    /// Stable name used in logs, metrics and `--channel` (`console`, `telegram`, ...).
    var name: String { get }
    func send(_ notification: AlertNotification) async -> SendOutcome
}
