/// Renders notifications as Telegram HTML messages (parse mode HTML).
///
/// Every line is self-contained (its tags close on it). A single notification always
/// fits one message, because its outside text is cut; a digest is one message however
/// many notifications it covers.
public struct TelegramRenderer: Sendable {
    public let strings: RenderStrings
    public let silentResolved: Bool
    private let markup = ChatMarkup.telegramHTML

    public init(language: Language, silentResolved: Bool) {
        self.strings = RenderStrings.of(language)
        self.silentResolved = silentResolved
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let silent =
            batch.notifications.allSatisfy(\.quiet)
            || (silentResolved && batch.notifications.allSatisfy { $0.action == .resolve })
        switch batch {
        case .single(let notification):
            let text = markup.lines(for: notification, strings: strings).joined(separator: "\n")
            return [OutboundMessage(id: batch.id, body: text, silent: silent)]
        case .digest(let notifications):
            let lines = markup.digestLines(
                notifications, strings: strings, budget: TelegramText.limit, measure: TelegramText.visibleLength)
            // The lines were chosen to fit; the split only guards the limit.
            let text = TelegramText.split(lines: lines).first ?? ""
            return [OutboundMessage(id: batch.id, body: text, silent: silent)]
        }
    }
}
