/// Renders notifications as Slack mrkdwn text for an incoming webhook.
public struct SlackRenderer: Sendable {
    public let strings: RenderStrings
    /// Slack truncates `text` past 40,000 characters; stay well below.
    static let textLimit = 35_000

    public init(language: Language) {
        strings = RenderStrings.of(language)
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        switch batch {
        case .single(let notification):
            return [OutboundMessage(id: notification.id, body: lines(for: notification).joined(separator: "\n"))]
        case .digest(let notifications):
            var text =
                "📣 *\(strings.digest(count: notifications.count))* · \(ChannelText.safe(notifications[0].instance, limit: 100))"
            for notification in notifications {
                var line =
                    "\n\(notification.action.icon) `\(ChannelText.safe(notification.key, limit: 200))` "
                    + ChannelText.safe(notification.title, limit: 200)
                if let duration = notification.duration {
                    line += " · \(strings.lasted) \(DurationText.format(seconds: duration))"
                }
                guard text.count + line.count < Self.textLimit else {
                    text += "\n…"
                    break
                }
                text += line
            }
            return [OutboundMessage(id: TelegramRenderer.digestID(notifications), body: text)]
        }
    }

    func lines(for notification: AlertNotification) -> [String] {
        var lines = [
            "\(notification.action.icon) *\(strings.word(for: notification.action))* · "
                + "*\(ChannelText.safe(notification.title, limit: 200))*",
            "`\(ChannelText.safe(notification.key, limit: 300))` · \(notification.severity.rawValue)",
        ]
        if !notification.detail.isEmpty {
            lines.append(ChannelText.safe(notification.detail, limit: 1_500))
        }
        let when =
            notification.duration.map { "\(strings.lasted) \(DurationText.format(seconds: $0))" }
            ?? "\(strings.since) \(ConsoleRenderer.timestamp(notification.startedAt))"
        lines.append("\(when) · _\(ChannelText.safe(notification.instance, limit: 100))_")
        return lines
    }
}
