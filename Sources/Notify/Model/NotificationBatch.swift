/// What a channel renders as one unit: a single notification, or a digest of many from
/// one tick (storm control: more than `WATCHDOG_DIGEST_AFTER` become one message).
public enum NotificationBatch: Sendable, Equatable {
    case single(AlertNotification)
    case digest([AlertNotification])

    /// Stable: the notification's id, or for a digest one derived from its first member
    /// and its size.
    public var id: String {
        switch self {
        case .single(let notification): notification.id
        case .digest(let notifications): "digest:\(notifications.first?.id ?? "")+\(max(0, notifications.count - 1))"
        }
    }

    public var notifications: [AlertNotification] {
        switch self {
        case .single(let notification): [notification]
        case .digest(let notifications): notifications
        }
    }
}
