/// How a chat channel marks up bold, code and italic text: the only difference between
/// the Telegram and the Slack layout of a notification.
public struct ChatMarkup: Sendable {
    let bold: @Sendable (String) -> String
    let code: @Sendable (String) -> String
    let italic: @Sendable (String) -> String

    public static let telegramHTML = ChatMarkup(
        bold: { "<b>\($0)</b>" }, code: { "<code>\($0)</code>" }, italic: { "<i>\($0)</i>" })
    public static let slackMrkdwn = ChatMarkup(bold: { "*\($0)*" }, code: { "`\($0)`" }, italic: { "_\($0)_" })

    /// A notification as lines: headline, key and severity, detail, when and where.
    /// Outside text is cut and escaped; every line is self-contained, so a message can be
    /// split between lines.
    public func lines(for notification: AlertNotification, strings: RenderStrings) -> [String] {
        var lines = [
            "\(notification.action.icon) \(bold(strings.word(for: notification.action))) · "
                + bold(ChannelText.safe(notification.title, limit: 200)),
            "\(code(ChannelText.safe(notification.key, limit: 300))) · \(notification.severity.rawValue)",
        ]
        if !notification.detail.isEmpty {
            lines.append(ChannelText.safe(notification.detail, limit: 1_500))
        }
        let when =
            notification.duration.map { "\(strings.lasted) \(DurationText.format(seconds: $0))" }
            ?? "\(strings.since) \(ConsoleRenderer.timestamp(notification.startedAt))"
        lines.append("\(when) · \(italic(ChannelText.safe(notification.instance, limit: 100)))")
        return lines
    }

    /// The first line of a digest.
    public func digestHeader(_ notifications: [AlertNotification], strings: RenderStrings) -> String {
        "📣 \(bold(strings.digest(count: notifications.count))) · "
            + ChannelText.safe(notifications.first?.instance ?? "", limit: 100)
    }

    /// One notification as one digest line.
    public func digestLine(_ notification: AlertNotification, strings: RenderStrings) -> String {
        var line =
            "\(notification.action.icon) \(code(ChannelText.safe(notification.key, limit: 200))) "
            + ChannelText.safe(notification.title, limit: 200)
        if let duration = notification.duration {
            line += " · \(strings.lasted) \(DurationText.format(seconds: duration))"
        }
        return line
    }
}
