/// Renders notifications as Slack mrkdwn text for an incoming webhook.
public struct SlackRenderer: Sendable {
    public let strings: RenderStrings
    private let markup = ChatMarkup.slackMrkdwn
    /// Slack truncates `text` past 40,000 characters; stay well below.
    static let textLimit = 35_000

    public init(language: Language) {
        strings = RenderStrings.of(language)
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        switch batch {
        case .single(let notification):
            return [
                OutboundMessage(
                    id: batch.id, body: markup.lines(for: notification, strings: strings).joined(separator: "\n"))
            ]
        case .digest(let notifications):
            let lines = markup.digestLines(
                notifications, strings: strings, budget: Self.textLimit, measure: { $0.count })
            return [OutboundMessage(id: batch.id, body: lines.joined(separator: "\n"))]
        }
    }
}
