import FoundationEssentials
import FoundationGaps

/// Renders notifications as Matrix `m.notice` events (SPEC §5.1): a plain body and an
/// `org.matrix.custom.html` one, outside text escaped for HTML, and an empty
/// `m.mentions` so no text from outside (`@room`, a user id) pings anyone. A fire is
/// remembered; its repeats and resolve go to its thread, and the resolve also edits it
/// to say how it ended. Pure.
public struct MatrixRenderer: Sendable {
    public let strings: RenderStrings
    let html = ChatMarkup.matrixHTML
    let plain = ChatMarkup.matrixPlain

    /// Synapse refuses an event over 65,536 bytes; both bodies together stay well under.
    static let bodyBudget = 16_000

    public init(language: Language) {
        strings = RenderStrings.of(language)
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        if case .single(let notification) = batch, notification.action == .acknowledge {
            // Written into the fire (SPEC §4.3): who acknowledged it, under what fired.
            let note = "\(NotificationAction.acknowledge.icon) " + ChannelText.escapeMarkup(notification.detail)
            return [
                OutboundMessage(
                    id: batch.id, body: annotated(notification.annotatedFire, note: note),
                    links: .annotating(notification.key))
            ]
        }
        if case .single(let notification) = batch, notification.action == .effects {
            // The fire rewritten with every effect its cause holds (SPEC §4.2).
            return [
                OutboundMessage(
                    id: batch.id, body: content(.single(notification.annotatedFire)).encodedString,
                    links: .annotating(notification.key))
            ]
        }
        var messages = [OutboundMessage(id: batch.id, body: content(batch).encodedString, links: .thread(batch))]
        if case .single(let notification) = batch, notification.endsProblem {
            let edited = Self.event(
                plain: plain.outcomeEdit(notification, strings: strings),
                html: html.outcomeEdit(notification, strings: strings).replacing("\n", with: "<br>"))
            messages.append(.fireEdit(of: notification, body: edited.encodedString))
        }
        return messages
    }

    func content(_ batch: NotificationBatch) -> JSONValue {
        let text = plain.titled(batch, strings: strings, budget: Self.bodyBudget)
        let marked = html.titled(batch, strings: strings, budget: Self.bodyBudget)
        return Self.event(
            plain: text.title + "\n" + text.body,
            html: "<b>\(marked.title)</b><br>" + marked.body.replacing("\n", with: "<br>"))
    }

    /// The chat's answer (SPEC §13) as events: `lines` are Telegram's HTML subset
    /// (`<b>`, `<code>`, outside text escaped), split between lines so each event stays
    /// far under Synapse's 64 KiB; the first replies to `replyTo`, and all stay in
    /// `thread` when the command was written in one (a fire's thread, say).
    public static func answer(_ lines: [String], replyTo: String?, thread: String? = nil) -> [String] {
        TelegramText.split(lines: lines, limit: answerLimit).enumerated().map { index, html in
            var content = chatEvent(html: html.replacing("\n", with: "<br>"))
            guard case .object(var object) = content else { return content.encodedString }
            var relation: [String: JSONValue] = [:]
            if let thread {
                relation["rel_type"] = JSONValue("m.thread")
                relation["event_id"] = JSONValue(thread)
                // A reply within the thread for the first part; the rest follow the thread.
                relation["is_falling_back"] = .bool(index != 0 || replyTo == nil)
                relation["m.in_reply_to"] = .object(["event_id": JSONValue(index == 0 ? replyTo ?? thread : thread)])
            } else if index == 0, let replyTo {
                relation["m.in_reply_to"] = .object(["event_id": JSONValue(replyTo)])
            }
            if !relation.isEmpty { object["m.relates_to"] = .object(relation) }
            content = .object(object)
            return content.encodedString
        }
    }

    /// Visible characters per answer event: at most 4 bytes each in the plain body and
    /// 6 (an escaped `&`) in the HTML one, so under 64 KiB with the JSON around them.
    public static let answerLimit = 4_000

    /// The fire of `notification` as it reads now, with `note` (the chat's HTML) under
    /// it: what an edit after an acknowledgement shows.
    public func annotated(_ notification: AlertNotification, note: String) -> String {
        Self.event(
            plain: plain.annotatedFire(notification, note: Self.plainText(ofHTML: note), strings: strings),
            html: html.annotatedFire(notification, note: Self.mentionSafe(note), strings: strings)
                .replacing("\n", with: "<br>")
        ).encodedString
    }

    /// An event from the chat's HTML: the plain body is its text.
    static func chatEvent(html: String) -> JSONValue {
        event(plain: plainText(ofHTML: html.replacing("<br>", with: "\n")), html: mentionSafe(html))
    }

    /// `@` followed by a zero-width space, as in every other text of the channel; only
    /// text has `@` in the chat's HTML, never a tag.
    static func mentionSafe(_ html: String) -> String {
        html.replacing("@", with: "@\u{200B}")
    }

    /// The text of the chat's HTML: tags dropped, its four entities read back.
    static func plainText(ofHTML html: String) -> String {
        var text = ""
        var inTag = false
        for character in html {
            if inTag {
                if character == ">" { inTag = false }
            } else if character == "<" {
                inTag = true
            } else {
                text.append(character)
            }
        }
        return mentionSafeText(
            text.replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
                .replacing("&amp;", with: "&"))
    }

    static func mentionSafeText(_ text: String) -> String {
        text.replacing("@", with: "@\u{200B}")
    }

    static func event(plain: String, html: String) -> JSONValue {
        .object([
            "msgtype": JSONValue("m.notice"), "body": JSONValue(plain),
            "format": JSONValue("org.matrix.custom.html"), "formatted_body": JSONValue(html),
            // Intentional mentions (Matrix 1.7): nobody, whatever the text says.
            "m.mentions": .object([:]),
        ])
    }

    /// The content sent: `content` in the fire's thread (`m.thread`, with a reply
    /// fallback for clients without threads), or replacing the fire (`m.replace`).
    public static func relate(_ content: JSONValue, thread: String?, replacing: String?) -> JSONValue {
        guard case .object(var object) = content else { return content }
        if let replacing {
            var replacement = object
            replacement["m.mentions"] = nil
            object["m.new_content"] = .object(replacement)
            object["body"] = JSONValue("* " + (object["body"]?.stringValue ?? ""))
            object["formatted_body"] = JSONValue("* " + (object["formatted_body"]?.stringValue ?? ""))
            object["m.relates_to"] = .object(["rel_type": JSONValue("m.replace"), "event_id": JSONValue(replacing)])
        } else if let thread {
            object["m.relates_to"] = .object([
                "rel_type": JSONValue("m.thread"), "event_id": JSONValue(thread), "is_falling_back": .bool(true),
                "m.in_reply_to": .object(["event_id": JSONValue(thread)]),
            ])
        }
        return .object(object)
    }
}

extension ChatMarkup {
    /// Matrix's plain body: every `@` followed by a zero-width space (see `matrixHTML`).
    public static let matrixPlain = ChatMarkup(
        bold: { $0 }, code: { $0 }, italic: { $0 }, escape: { $0.replacing("@", with: "@\u{200B}") })

    /// Matrix's HTML subset: `& < > "` escaped in outside text, and every `@` followed by
    /// a zero-width space, so `@room` stays text even in clients that still scan the
    /// body for it.
    public static let matrixHTML = ChatMarkup(
        bold: { "<b>\($0)</b>" }, code: { "<code>\($0)</code>" }, italic: { "<i>\($0)</i>" },
        escape: { text in
            var escaped = ""
            escaped.reserveCapacity(text.utf8.count)
            for character in text {
                switch character {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                case "\"": escaped += "&quot;"
                case "@": escaped += "@\u{200B}"
                default: escaped.append(character)
                }
            }
            return escaped
        })
}
