import FoundationEssentials

/// Renders a notification as one plain line for a terminal or a container log.
public struct ConsoleRenderer: Sendable {
    public let strings: RenderStrings

    public init(language: Language) {
        strings = RenderStrings.of(language)
    }

    public func render(_ notification: AlertNotification) -> String {
        var parts = [
            "\(notification.action.icon) \(strings.word(for: notification.action))"
                + " [\(notification.severity.rawValue)] \(notification.key)",
            oneLine(notification.title),
        ]
        if notification.action == .report {
            // A report's facts, one per line elsewhere, are kept apart on the one line.
            parts += notification.detail.split(whereSeparator: \.isNewline).map { oneLine(String($0)) }
        } else if !notification.detail.isEmpty {
            parts.append(oneLine(notification.detail))
        }
        if let duration = notification.duration {
            parts.append("\(strings.lasted) \(DurationText.format(seconds: duration))")
        } else {
            parts.append("\(strings.since) \(Self.timestamp(notification.startedAt))")
        }
        parts.append("\(strings.instance) \(oneLine(notification.instance))")
        return parts.joined(separator: " · ")
    }

    /// Outside text may carry newlines; one notification must stay one log line.
    private func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
