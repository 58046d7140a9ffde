import Foundation

/// Renders notifications as Telegram HTML messages (parse mode HTML).
///
/// Every line is self-contained (its tags close on it) so long digests can be split at
/// line boundaries. Outside text is cut and escaped; a single notification always fits
/// one message.
public struct TelegramRenderer: Sendable {
    public let strings: RenderStrings
    public let silentResolved: Bool

    public init(language: Language, silentResolved: Bool) {
        self.strings = RenderStrings.of(language)
        self.silentResolved = silentResolved
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        switch batch {
        case .single(let notification):
            let text = lines(for: notification).joined(separator: "\n")
            return [
                OutboundMessage(
                    id: notification.id, body: text, silent: silentResolved && notification.action == .resolve)
            ]
        case .digest(let notifications):
            let header =
                "📣 <b>\(strings.digest(count: notifications.count))</b> · \(ChannelText.safe(notifications[0].instance, limit: 100))"
            let parts = TelegramText.split(lines: [header] + notifications.map(digestLine))
            let silent = silentResolved && notifications.allSatisfy { $0.action == .resolve }
            let id = Self.digestID(notifications)
            return parts.enumerated().map { index, text in
                OutboundMessage(id: parts.count == 1 ? id : "\(id)#\(index + 1)", body: text, silent: silent)
            }
        }
    }

    func lines(for notification: AlertNotification) -> [String] {
        var lines = [
            "\(notification.action.icon) <b>\(strings.word(for: notification.action))</b> · "
                + "<b>\(ChannelText.safe(notification.title, limit: 200))</b>",
            "<code>\(ChannelText.safe(notification.key, limit: 300))</code> · \(notification.severity.rawValue)",
        ]
        if !notification.detail.isEmpty {
            lines.append(ChannelText.safe(notification.detail, limit: 1_500))
        }
        let when =
            notification.duration.map { "\(strings.lasted) \(DurationText.format(seconds: $0))" }
            ?? "\(strings.since) \(ConsoleRenderer.timestamp(notification.startedAt))"
        lines.append("\(when) · <i>\(ChannelText.safe(notification.instance, limit: 100))</i>")
        return lines
    }

    func digestLine(_ notification: AlertNotification) -> String {
        var line =
            "\(notification.action.icon) <code>\(ChannelText.safe(notification.key, limit: 200))</code> "
            + ChannelText.safe(notification.title, limit: 200)
        if let duration = notification.duration {
            line += " · \(strings.lasted) \(DurationText.format(seconds: duration))"
        }
        return line
    }

    /// Stable for the same set of notifications.
    static func digestID(_ notifications: [AlertNotification]) -> String {
        "digest:\(notifications[0].id)+\(notifications.count - 1)"
    }
}
