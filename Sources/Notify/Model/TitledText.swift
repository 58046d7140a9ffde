/// A batch as the push-style channels show it (Discord, Mattermost, ntfy, Gotify,
/// Pushover): a title and a body. Pure.
public struct TitledText: Sendable, Equatable {
    public var title: String
    public var body: String
}

extension ChatMarkup {
    /// A notification's headline: its icon, its action's word and its title (outside
    /// text made inert).
    public func headline(_ notification: AlertNotification, strings: RenderStrings, action: NotificationAction? = nil)
        -> String
    {
        let shown = action ?? notification.action
        return "\(shown.icon) \(strings.word(for: shown)) · " + safe(notification.title, limit: 200)
    }

    /// One notification: its headline, then the rest of its lines. A digest: its header,
    /// then as many lines as fit `budget`, as `measure` counts.
    public func titled(
        _ batch: NotificationBatch, strings: RenderStrings, budget: Int, measure: (String) -> Int = { $0.count }
    ) -> TitledText {
        switch batch {
        case .single(let notification):
            return TitledText(
                title: headline(notification, strings: strings),
                body: lines(for: notification, strings: strings).dropFirst().joined(separator: "\n"))
        case .digest(let notifications):
            let lines = digestLines(notifications, strings: strings, budget: budget, measure: measure)
            return TitledText(title: lines.first ?? "", body: lines.dropFirst().joined(separator: "\n"))
        }
    }
}

/// A service's priorities by what a notification says (ntfy's 1–5, Gotify's 0–10,
/// Pushover's -2…2): a critical and a warning problem, flapping, and a problem over.
public struct PriorityScale: Sendable, Equatable {
    public var critical: Int
    public var warning: Int
    public var flapping: Int
    public var over: Int

    public func priority(of notification: AlertNotification) -> Int {
        switch notification.action {
        case .resolve, .settled, .acknowledge, .effects, .report: over
        case .flapping: flapping
        case .fire, .repeat, .escalate: notification.severity == .critical ? critical : warning
        }
    }

    /// The loudest of a batch's notifications.
    public func priority(of batch: NotificationBatch) -> Int {
        batch.notifications.map(priority(of:)).max() ?? warning
    }
}
