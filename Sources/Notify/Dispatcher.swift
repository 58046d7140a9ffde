import Logging

/// Hands each notification to every channel, in order, and logs what each answered.
///
/// Channels that can fail (chat APIs) get a durable outbox with retries in front of
/// them; the console cannot fail in a way a retry would mend.
public struct Dispatcher: Sendable {
    public let channels: [any NotificationChannel]
    private let logger: Logger

    public init(channels: [any NotificationChannel], logger: Logger) {
        self.channels = channels
        self.logger = logger
    }

    public func dispatch(_ notifications: [AlertNotification]) async {
        for notification in notifications {
            for channel in channels {
                let outcome = await channel.send(notification)
                switch outcome {
                case .delivered:
                    logger.debug(
                        "notification delivered",
                        metadata: ["channel": "\(channel.name)", "id": "\(notification.id)"])
                case .retryable(let reason, _), .permanent(let reason):
                    logger.error(
                        "notification not delivered",
                        metadata: [
                            "channel": "\(channel.name)", "id": "\(notification.id)",
                            "reason": "\(reason)",
                        ])
                }
            }
        }
    }
}
