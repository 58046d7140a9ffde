/// What a channel renders as one unit: a single notification, or a digest of many from
/// one tick (storm control: more than `WATCHDOG_DIGEST_AFTER` become one message).
public enum NotificationBatch: Sendable, Equatable {
    case single(AlertNotification)
    case digest([AlertNotification])

    public var notifications: [AlertNotification] {
        switch self {
        case .single(let notification): [notification]
        case .digest(let notifications): notifications
        }
    }
}
