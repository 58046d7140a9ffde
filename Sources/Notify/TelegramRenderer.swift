/// Renders notifications as Telegram HTML messages (parse mode HTML).
///
/// Every line is self-contained (its tags close on it) so long digests are split at line
/// boundaries within Telegram's length limit. A single notification always fits one
/// message, because its outside text is cut.
public struct TelegramRenderer: Sendable {
    public let strings: RenderStrings
    public let silentResolved: Bool
    private let markup = ChatMarkup.telegramHTML

    public init(language: Language, silentResolved: Bool) {
        self.strings = RenderStrings.of(language)
        self.silentResolved = silentResolved
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let silent = silentResolved && batch.notifications.allSatisfy { $0.action == .resolve }
        switch batch {
        case .single(let notification):
            let text = markup.lines(for: notification, strings: strings).joined(separator: "\n")
            return [OutboundMessage(id: batch.id, body: text, silent: silent)]
        case .digest(let notifications):
            let lines =
                [markup.digestHeader(notifications, strings: strings)]
                + notifications.map { markup.digestLine($0, strings: strings) }
            let parts = TelegramText.split(lines: lines)
            return parts.enumerated().map { index, text in
                OutboundMessage(
                    id: parts.count == 1 ? batch.id : "\(batch.id)#\(index + 1)", body: text, silent: silent)
            }
        }
    }
}
