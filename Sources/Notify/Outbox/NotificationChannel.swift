import FoundationEssentials

/// What happened when a channel tried to deliver one message.
public enum SendOutcome: Sendable, Equatable {
    /// The API acknowledged the message; it is never sent again.
    case delivered
    /// Delivered, and the API named the new message (Telegram `message_id`, Slack `ts`),
    /// so later messages can reply to it or edit it.
    case deliveredAs(reference: String)
    /// Worth another try: a timeout, a connection error, a 5xx or a 429. `retryAfter` is
    /// the wait the API asked for, in seconds, when it named one; it is honoured exactly.
    case retryable(reason: String, retryAfter: Double?)
    /// Trying again cannot help (a 4xx other than 429): logged with the API's reason,
    /// counted and dropped.
    case permanent(reason: String)

    /// The delivered message's id, when the API named it.
    public var reference: String? {
        if case .deliveredAs(let reference) = self { reference } else { nil }
    }

    public var isDelivered: Bool {
        switch self {
        case .delivered, .deliveredAs: true
        case .retryable, .permanent: false
        }
    }
}

/// One destination for notifications: Telegram, Slack, a webhook, Alertmanager, the
/// console.
///
/// A channel is a thin adapter to one API: it renders a batch into the messages it
/// will send (pure), sends one message, and says whether a failure is worth retrying.
/// Queueing, retries, backoff and pacing are decided by `OutboxStateMachine` and carried
/// out, with persistence, by `ChannelOutbox`.
public protocol NotificationChannel: Sendable {
    /// Stable name used in logs, metrics, the state file and `--channel`.
    var name: String { get }
    /// Where messages go, safe to show (`test-notify`): secrets in it are redacted.
    var destination: String { get }
    /// How fast the API lets us send.
    var pacing: Pacing { get }
    /// Whether many notifications of one tick are folded into one digest message.
    var usesDigests: Bool { get }
    /// Whether its messages reply in the thread of their key's fire (Telegram, Slack with
    /// a bot token, Matrix): notes such as who an escalation went to are sent only there.
    var threadsReplies: Bool { get }

    /// Pure: the messages that carry `batch`, in sending order.
    func render(_ batch: NotificationBatch) -> [OutboundMessage]
    /// Pure: the messages for one tick. The default renders the tick's notifications,
    /// as one digest when there are more than `digestAfter`; a channel that mirrors the
    /// firing set (Alertmanager) posts `tick.firing` every tick instead.
    func messages(for tick: TickNotifications, digestAfter: Int) -> [OutboundMessage]
    /// Pure: a message that can replace a still-unsent older one, merged with it, or nil
    /// when messages do not replace each other (the default: every message matters).
    func coalesce(pending: OutboundMessage, newer: OutboundMessage) -> OutboundMessage?
    /// Sends one message. Never throws: every failure is classified.
    func send(_ message: OutboundMessage) async -> SendOutcome
    /// Sends one message whose links the outbox resolved to message ids (a reply, an
    /// edit, buttons). The default ignores them: only channels that can reference their
    /// own messages (Telegram, Slack with a bot token) render links.
    func send(_ message: OutboundMessage, links: ResolvedLinks) async -> SendOutcome
}

extension NotificationChannel {
    public var destination: String { name }
    public var pacing: Pacing { .unlimited }
    public var usesDigests: Bool { true }
    public var threadsReplies: Bool { false }

    public func messages(for tick: TickNotifications, digestAfter: Int) -> [OutboundMessage] {
        guard !tick.notifications.isEmpty else { return [] }
        if usesDigests, tick.notifications.count > digestAfter {
            return render(.digest(tick.notifications)).map { $0.announcing(tick.notifications) }
        }
        return tick.notifications.flatMap { notification in
            render(.single(notification)).map { $0.announcing([notification]) }
        }
    }

    public func coalesce(pending: OutboundMessage, newer: OutboundMessage) -> OutboundMessage? { nil }

    public func send(_ message: OutboundMessage, links: ResolvedLinks) async -> SendOutcome {
        // An edit means nothing to a channel without message ids; its new message said it.
        if links.edit != nil || message.links.isEdit { return .delivered }
        return await send(message)
    }
}

/// What one tick hands to every channel.
public struct TickNotifications: Sendable {
    /// This tick's transitions (fire, repeat, resolve, flapping, settled), those a silence
    /// held already removed.
    public var notifications: [AlertNotification]
    /// Every announced key firing (or flapping) after this tick, for channels that mirror
    /// state rather than announce transitions.
    public var firing: [AlertNotification]
    public var now: Date

    public init(notifications: [AlertNotification], firing: [AlertNotification] = [], now: Date) {
        self.notifications = notifications
        self.firing = firing
        self.now = now
    }

    /// What the channel named `channel` takes of this tick (SPEC §4.3 routes); notes in a
    /// fire's thread only when it `threads`.
    public func routed(to channel: String, threads: Bool = true) -> TickNotifications {
        TickNotifications(
            notifications: notifications.filter { $0.goes(to: channel) && (threads || !$0.threadNote) },
            firing: firing.filter { $0.goes(to: channel) }, now: now)
    }
}
