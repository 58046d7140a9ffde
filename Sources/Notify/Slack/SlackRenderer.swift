/// Renders notifications as Slack mrkdwn text, for an incoming webhook or the Web API.
public struct SlackRenderer: Sendable {
    public let strings: RenderStrings
    private let markup = ChatMarkup.slackMrkdwn
    /// Slack truncates `text` past 40,000 characters; stay well below.
    static let textLimit = 35_000

    public init(language: Language) {
        strings = RenderStrings.of(language)
    }

    /// `threaded`: the channel can reference its messages (a bot token), so a fire is
    /// remembered, its repeats and resolve go in its thread, and the resolve updates it.
    public func render(_ batch: NotificationBatch, threaded: Bool = false) -> [OutboundMessage] {
        switch batch {
        case .single(let notification):
            let text = markup.lines(for: notification, strings: strings).joined(separator: "\n")
            guard threaded else { return [OutboundMessage(id: batch.id, body: text)] }
            if notification.action == .effects {
                // The fire rewritten with every effect its cause holds (SPEC §4.2).
                let fire = markup.lines(for: notification.annotatedFire, strings: strings).joined(separator: "\n")
                return [OutboundMessage(id: batch.id, body: fire, links: .annotating(notification.key))]
            }
            var messages = [OutboundMessage(id: batch.id, body: text, links: .thread(batch))]
            if notification.endsProblem {
                messages.append(.fireEdit(of: notification, body: markup.outcomeEdit(notification, strings: strings)))
            }
            return messages
        case .digest(let notifications):
            let lines = markup.digestLines(
                notifications, strings: strings, budget: Self.textLimit, measure: { $0.count })
            return [
                OutboundMessage(
                    id: batch.id, body: lines.joined(separator: "\n"), links: threaded ? .thread(batch) : .none)
            ]
        }
    }
}
