/// Renders notifications as Telegram HTML messages (parse mode HTML).
///
/// Every line is self-contained (its tags close on it). A single notification always
/// fits one message, because its outside text is cut; a digest is one message however
/// many notifications it covers.
///
/// Messages carry their place in the chat (SPEC §5): a fire is remembered by key, its
/// repeats and its resolve reply to it, and the resolve edits it to show the outcome.
/// With commands on, a fire carries the Ack and Silence buttons (SPEC §13).
public struct TelegramRenderer: Sendable {
    public let strings: RenderStrings
    public let silentResolved: Bool
    public let buttons: Bool
    private let markup = ChatMarkup.telegramHTML

    public init(language: Language, silentResolved: Bool, buttons: Bool = false) {
        self.strings = RenderStrings.of(language)
        self.silentResolved = silentResolved
        self.buttons = buttons
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let silent =
            batch.notifications.allSatisfy(\.quiet)
            || (silentResolved && batch.notifications.allSatisfy { $0.action == .resolve })
        switch batch {
        case .single(let notification) where notification.action == .acknowledge:
            // Written into the fire (SPEC §4.3): who acknowledged it, under what fired.
            let note = "\(NotificationAction.acknowledge.icon) " + ChannelText.escapeMarkup(notification.detail)
            return [
                OutboundMessage(
                    id: batch.id, body: annotated(notification.annotatedFire, note: note), silent: true,
                    links: .annotating(notification.key))
            ]
        case .single(let notification) where notification.action == .effects:
            // The fire rewritten with every effect its cause holds (SPEC §4.2), its
            // buttons kept.
            var links = MessageLinks.annotating(notification.key)
            links.buttonsKey = buttons ? notification.key : nil
            let fire = markup.lines(for: notification.annotatedFire, strings: strings).joined(separator: "\n")
            return [OutboundMessage(id: batch.id, body: fire, silent: true, links: links)]
        case .single(let notification):
            let text = markup.lines(for: notification, strings: strings).joined(separator: "\n")
            var messages = [
                OutboundMessage(id: batch.id, body: text, silent: silent, links: links(of: notification))
            ]
            if notification.endsProblem {
                messages.append(
                    OutboundMessage(
                        id: "\(batch.id):edit", body: markup.outcomeEdit(notification, strings: strings), silent: true,
                        links: MessageLinks(editsKey: notification.key)))
            }
            return messages
        case .digest(let notifications):
            let lines = markup.digestLines(
                notifications, strings: strings, budget: TelegramText.limit, measure: TelegramText.visibleLength)
            // The lines were chosen to fit; the split only guards the limit.
            let text = TelegramText.split(lines: lines).first ?? ""
            // A digest stands for every key it fires; it is not edited for one of them,
            // and its resolves edit nothing: a storm's edits would hold up new alerts.
            let fired = notifications.filter { $0.action == .fire }.map(\.key)
            return [OutboundMessage(id: batch.id, body: text, silent: silent, links: MessageLinks(records: fired))]
        }
    }

    private func links(of notification: AlertNotification) -> MessageLinks {
        switch notification.action {
        case .fire:
            MessageLinks(records: [notification.key], buttonsKey: buttons ? notification.key : nil)
        case .repeat, .resolve, .flapping, .settled, .escalate, .acknowledge, .effects:
            MessageLinks(replyToKey: notification.key)
        case .report:
            MessageLinks()
        }
    }

    /// The fire layout of `notification` with one more line (markup already).
    public func annotated(_ notification: AlertNotification, note: String) -> String {
        markup.annotatedFire(notification, note: note, strings: strings)
    }

    /// The buttons of a fire message whose key has the short id `id`.
    public func keyboard(buttonID id: String) -> [TelegramAPI.Button] {
        [
            TelegramAPI.Button(text: strings.ackButton, data: "ack:\(id)"),
            TelegramAPI.Button(text: strings.silenceHourButton, data: "s1h:\(id)"),
            TelegramAPI.Button(text: strings.silenceDayButton, data: "s1d:\(id)"),
        ]
    }
}
