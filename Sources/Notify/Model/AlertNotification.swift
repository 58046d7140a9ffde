import FoundationEssentials

/// One message-worthy event: a key fired, repeated or resolved (SPEC §5).
///
/// Channels render it; the outbox stores it. All text here is plain: escaping for a
/// channel's markup happens in that channel's renderer.
public struct AlertNotification: Sendable, Codable, Equatable, Identifiable {
    /// Stable for a key and a transition, so a re-sent notification can be recognised.
    public let id: String
    public let action: NotificationAction
    public let severity: Severity
    public let family: String
    public let entity: String?
    public let title: String
    public var detail: String
    public let instance: String
    /// When the problem started.
    public let startedAt: Date
    /// When this transition was decided.
    public let at: Date
    /// Deliver without a sound: the resolve of an announced problem while its key is
    /// silenced (SPEC §4.1).
    public let quiet: Bool
    /// For `settled`: whether the key ended firing (false: it ended resolved).
    public let stillFiring: Bool
    /// The channels that take it, by name (SPEC §4.3 routes): those its fire went to.
    /// nil: every channel.
    public var channels: [String]?
    /// A note in the thread of the key's fire (who an escalation went to): only channels
    /// that reply in threads send it; to the others it would be one more message.
    public var threadNote: Bool = false
    /// The Ack link of this problem (SPEC §4.3), for channels without a chat: a button or
    /// a link that acknowledges it. Set while it fires and `WATCHDOG_PUBLIC_URL` is set.
    public var ackLink: String?
    /// For a note about a firing problem (an acknowledgement): the fire's own detail, so
    /// a channel that writes the note into the fire message keeps what it said.
    public var fireDetail: String?

    /// The Ack link is left out of every encoding (`once --json`): it is a capability,
    /// for the people the channel tells, not for a report.
    enum CodingKeys: String, CodingKey {
        case id, action, severity, family, entity, title, detail, instance, startedAt, at, quiet, stillFiring
        case channels, threadNote, fireDetail
    }

    public init(
        id: String, action: NotificationAction, severity: Severity, family: String,
        entity: String?, title: String, detail: String, instance: String,
        startedAt: Date, at: Date, quiet: Bool = false, stillFiring: Bool = false
    ) {
        self.id = id
        self.action = action
        self.severity = severity
        self.family = family
        self.entity = entity
        self.title = title
        self.detail = detail
        self.instance = instance
        self.startedAt = startedAt
        self.at = at
        self.quiet = quiet
        self.stillFiring = stillFiring
    }

    /// The fire this note is about, as its message read: for channels that write the note
    /// into it (Telegram, Matrix).
    public var annotatedFire: AlertNotification {
        AlertNotification(
            id: id, action: .fire, severity: severity, family: family, entity: entity, title: title,
            detail: fireDetail ?? "", instance: instance, startedAt: startedAt, at: startedAt)
    }

    /// Whether the channel named `channel` takes it.
    public func goes(to channel: String) -> Bool {
        channels?.contains(channel) ?? true
    }

    /// The key as operators write it in `WATCHDOG_MUTE`: `family` or `family:entity`.
    public var key: String {
        entity.map { "\(family):\($0)" } ?? family
    }

    /// The problem is over with this notification: a resolve, or a flapping key that
    /// settled resolved. Channels that mirror state (webhook, Alertmanager) end the alert.
    public var endsProblem: Bool {
        action == .resolve || (action == .settled && !stillFiring)
    }

    /// It tells of a problem for the first time: a fire, or a flapping key that settled
    /// firing. Its delivery starts the escalation timers (SPEC §4.3).
    public var announcesProblem: Bool {
        action == .fire || (action == .settled && stillFiring)
    }

    /// How long the problem lasted; set on notifications that end it only.
    public var duration: TimeInterval? {
        endsProblem ? max(0, at.timeIntervalSince(startedAt)) : nil
    }
}
