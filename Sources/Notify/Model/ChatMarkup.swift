/// How a chat channel marks up bold, code and italic text: the only difference between
/// the Telegram and the Slack layout of a notification.
public struct ChatMarkup: Sendable {
    public let bold: @Sendable (String) -> String
    public let code: @Sendable (String) -> String
    public let italic: @Sendable (String) -> String
    /// Makes outside text inert in this markup (Telegram's HTML and Slack's mrkdwn:
    /// `& < >`; Discord's markdown: a backslash before every markup character).
    public let escape: @Sendable (String) -> String
    /// The same inside a code span, where a backslash would show.
    public let escapeInCode: @Sendable (String) -> String

    public init(
        bold: @escaping @Sendable (String) -> String, code: @escaping @Sendable (String) -> String,
        italic: @escaping @Sendable (String) -> String,
        escape: @escaping @Sendable (String) -> String = ChannelText.escapeMarkup,
        escapeInCode: (@Sendable (String) -> String)? = nil
    ) {
        self.bold = bold
        self.code = code
        self.italic = italic
        self.escape = escape
        self.escapeInCode = escapeInCode ?? escape
    }

    public static let telegramHTML = ChatMarkup(
        bold: { "<b>\($0)</b>" }, code: { "<code>\($0)</code>" }, italic: { "<i>\($0)</i>" })
    public static let slackMrkdwn = ChatMarkup(bold: { "*\($0)*" }, code: { "`\($0)`" }, italic: { "_\($0)_" })

    /// A report's lines at most (SPEC §14): a summary, not a log.
    static let reportLines = 40

    /// Outside text as one line, cut to `limit`, made inert.
    public func safe(_ text: String, limit: Int) -> String {
        escape(ChannelText.cut(ChannelText.oneLine(text), to: limit))
    }

    /// Outside text as a code span: one line, cut, made inert inside the span.
    public func codeSpan(_ text: String, limit: Int) -> String {
        code(escapeInCode(ChannelText.cut(ChannelText.oneLine(text), to: limit)))
    }

    /// A notification as lines: headline, key and severity, detail, when and where.
    /// Outside text is cut and escaped; every line is self-contained, so a message can be
    /// split between lines.
    public func lines(for notification: AlertNotification, strings: RenderStrings) -> [String] {
        let headline =
            "\(notification.action.icon) \(bold(strings.word(for: notification.action))) · "
            + bold(safe(notification.title, limit: 200))
        if notification.action == .report {
            // A report is a list, one line per fact; it has no key of its own.
            let lines = notification.detail.split(separator: "\n").prefix(Self.reportLines)
            return [headline] + lines.map { safe(String($0), limit: 300) }
        }
        var lines = [
            headline,
            "\(codeSpan(notification.key, limit: 300)) · \(notification.severity.rawValue)",
        ]
        if !notification.detail.isEmpty {
            lines.append(safe(notification.detail, limit: 1_500))
        }
        let when =
            notification.duration.map { "\(strings.lasted) \(DurationText.format(seconds: $0))" }
            ?? "\(strings.since) \(ConsoleRenderer.timestamp(notification.startedAt))"
        lines.append("\(when) · \(italic(safe(notification.instance, limit: 100)))")
        return lines
    }

    /// The fire layout of `notification` with one more line (`note`, markup already):
    /// how it ended, or who did what from the chat. What an edited fire message reads.
    public func annotatedFire(_ notification: AlertNotification, note: String, strings: RenderStrings) -> String {
        let fire = AlertNotification(
            id: notification.id, action: .fire, severity: notification.severity, family: notification.family,
            entity: notification.entity, title: notification.title, detail: notification.detail,
            instance: notification.instance, startedAt: notification.startedAt, at: notification.startedAt)
        return (lines(for: fire, strings: strings) + [note]).joined(separator: "\n")
    }

    /// The fire message as it reads once the problem is over (SPEC §5): what fired, then
    /// how it ended and how long it lasted.
    public func outcomeEdit(_ notification: AlertNotification, strings: RenderStrings) -> String {
        let outcome =
            "\(NotificationAction.resolve.icon) \(bold(strings.resolved))"
            + (notification.duration.map { " · \(strings.lasted) \(DurationText.format(seconds: $0))" } ?? "")
        return annotatedFire(notification, note: outcome, strings: strings)
    }

    /// A digest as lines that fit `budget` as `measure` counts them: always one message,
    /// however many notifications it covers (storm control: a dead host must not become
    /// hundreds of messages). The headline, the count per action, per family with its
    /// severities, then as many keys as fit, and where to see the rest.
    public func digestLines(
        _ notifications: [AlertNotification], strings: RenderStrings, budget: Int, shownAtMost: Int = 100,
        measure: (String) -> Int
    ) -> [String] {
        var summary = [digestHeader(notifications, strings: strings)]
        let actions = NotificationAction.allCases.compactMap { action -> String? in
            let count = notifications.count { $0.action == action }
            return count == 0 ? nil : "\(action.icon) \(strings.word(for: action)) \(count)"
        }
        summary.append(actions.joined(separator: " · "))
        var families: [String: [Severity: Int]] = [:]
        for notification in notifications {
            families[notification.family, default: [:]][notification.severity, default: 0] += 1
        }
        let familyLines = families.sorted { $0.key < $1.key }.map { family, severities in
            let total = severities.values.reduce(0, +)
            let split = Severity.allCases.compactMap { severity in
                severities[severity].map { "\(severity.rawValue) \($0)" }
            }
            return "\(codeSpan(family, limit: 60)) \(total) (\(split.joined(separator: ", ")))"
        }
        // Families are a fixed, short list; more than a dozen lines of them would crowd out the keys.
        summary += familyLines.prefix(12)

        func footer(_ shown: Int) -> String? {
            shown < notifications.count ? italic(strings.digestMore(notifications.count - shown)) : nil
        }
        var used = summary.map(measure).reduce(0, +) + summary.count
        var shownLines: [String] = []
        for notification in notifications.prefix(shownAtMost) {
            let line = digestLine(notification, strings: strings)
            let reserve = footer(shownLines.count + 1).map { measure($0) + 1 } ?? 0
            guard used + measure(line) + 1 + reserve <= budget else { break }
            shownLines.append(line)
            used += measure(line) + 1
        }
        return summary + shownLines + (footer(shownLines.count).map { [$0] } ?? [])
    }

    /// The first line of a digest.
    public func digestHeader(_ notifications: [AlertNotification], strings: RenderStrings) -> String {
        "📣 \(bold(strings.digest(count: notifications.count))) · "
            + safe(notifications.first?.instance ?? "", limit: 100)
    }

    /// One notification as one digest line.
    public func digestLine(_ notification: AlertNotification, strings: RenderStrings) -> String {
        var line =
            "\(notification.action.icon) \(codeSpan(notification.key, limit: 200)) "
            + safe(notification.title, limit: 200)
        if let duration = notification.duration {
            line += " · \(strings.lasted) \(DurationText.format(seconds: duration))"
        }
        return line
    }
}
