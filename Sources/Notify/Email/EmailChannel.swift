import FoundationEssentials
import FoundationGaps

/// Where and as whom the e-mail channel sends.
public struct EmailSettings: Sendable, Equatable {
    public var server: SMTPServer
    /// nil: no AUTH.
    public var credentials: SMTPConversation.Credentials?
    /// The envelope and `From:` address.
    public var sender: String
    /// The name `From:` shows (`?name=`); `watchdog` when nil.
    public var senderName: String?
    public var recipients: [String]
    /// The name the client greets with (`EHLO`): the host's name.
    public var clientName: String

    public init(
        server: SMTPServer, credentials: SMTPConversation.Credentials?, sender: String, senderName: String? = nil,
        recipients: [String], clientName: String
    ) {
        self.server = server
        self.credentials = credentials
        self.sender = sender
        self.senderName = senderName
        self.recipients = recipients
        self.clientName = clientName
    }
}

/// E-mail over SMTP (SPEC §5.1): one plain-text message a notification, subject
/// `[FIRING] title` (`[RESOLVED]`, `[FLAPPING]`), quoted-printable UTF-8. A fire's
/// `Message-ID` is remembered; its repeats and resolve carry it in `In-Reply-To` and
/// `References`, so mail clients thread them under it. 4xx replies are retried, 5xx are
/// not (`SMTPConversation`).
public struct EmailChannel: NotificationChannel {
    public let name: String
    public var destination: String {
        "smtp://\(settings.server.host):\(settings.server.port) (\(settings.server.security.rawValue)) → "
            + settings.recipients.joined(separator: ", ")
    }
    /// Mail providers count messages an hour; a storm folds into digests anyway.
    public let pacing = Pacing(minimumGap: .seconds(1), windowLimit: 60, window: .seconds(3600))
    private let settings: EmailSettings
    private let client: SMTPClient
    private let strings: RenderStrings
    private let markup = ChatMarkup.plain

    /// The longest body sent: a digest is cut to it.
    static let textBudget = 32_000

    public init(name: String, settings: EmailSettings, language: Language, client: SMTPClient) {
        self.name = name
        self.settings = settings
        self.client = client
        self.strings = RenderStrings.of(language)
    }

    // MARK: Rendering (pure)

    /// The subject's tag: what the batch says, in the words mail filters look for.
    static func tag(_ batch: NotificationBatch) -> String {
        let actions = batch.notifications.map(\.action)
        if actions.contains(.escalate) { return "[ESCALATED]" }
        if actions.contains(where: { $0 == .fire || $0 == .repeat }) { return "[FIRING]" }
        if actions.contains(.flapping) { return "[FLAPPING]" }
        if actions.contains(.acknowledge) { return "[ACKNOWLEDGED]" }
        if actions.contains(.effects) { return "[ALSO AFFECTED]" }
        if actions.contains(.report) { return "[REPORT]" }
        return "[RESOLVED]"
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let text = markup.titled(batch, strings: strings, budget: Self.textBudget)
        let at = batch.notifications.map(\.at).max() ?? Date(timeIntervalSince1970: 0)
        let subjectTitle: String
        switch batch {
        case .single(let notification): subjectTitle = notification.title
        // The digest's header line, without its icon.
        case .digest: subjectTitle = String(text.title.drop { !$0.isLetter && !$0.isNumber })
        }
        let mail = EmailDraft(
            subject: "\(Self.tag(batch)) \(ChannelText.cut(subjectTitle, to: 180))",
            text: text.title + "\n\n" + text.body + Self.ackLine(batch, strings: strings),
            messageID: Self.messageID(for: batch.id, at: at, domain: Self.domain(of: settings.sender)),
            date: MailFormat.date(at))
        return [OutboundMessage(id: batch.id, body: mail.encoded, links: .thread(batch))]
    }

    /// The Ack link of a single alert (SPEC §4.3): opening it shows a page with one
    /// button, so a mail scanner that follows it acknowledges nothing.
    public static func ackLine(_ batch: NotificationBatch, strings: RenderStrings) -> String {
        guard case .single(let notification) = batch, let link = notification.ackLink else { return "" }
        return "\n\n\(strings.ackButton): \(link)"
    }

    /// A `Message-ID` derived from the notification, so a retried send of the same
    /// message carries the same one: `<5ax9k2…1765044000@example.com>`.
    static func messageID(for id: String, at: Date, domain: String) -> String {
        let seconds = Int64(max(0, min(at.timeIntervalSince1970, 1e12)))
        return "<watchdog.\(ButtonID.of(id)).\(ButtonID.of(String(id.reversed()))).\(seconds)@\(domain)>"
    }

    static func domain(of address: String) -> String {
        address.split(separator: "@").last.map(String.init) ?? "localhost"
    }

    /// The whole message: headers, a blank line, the quoted-printable body.
    func message(_ draft: EmailDraft, inReplyTo: String?) -> String {
        var headers = [
            "From: " + MailFormat.mailbox(name: settings.senderName ?? "watchdog", address: settings.sender),
            "To: " + settings.recipients.map { "<\($0)>" }.joined(separator: ",\r\n "),
            "Subject: " + MailFormat.headerText(draft.subject, fieldName: "Subject"),
            "Date: " + draft.date,
            "Message-ID: " + draft.messageID,
        ]
        if let inReplyTo {
            headers += ["In-Reply-To: " + inReplyTo, "References: " + inReplyTo]
        }
        headers += [
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "Auto-Submitted: auto-generated",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + MailFormat.quotedPrintable(draft.text)
    }

    // MARK: Sending

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await send(message, links: .none)
    }

    public func send(_ message: OutboundMessage, links: ResolvedLinks) async -> SendOutcome {
        guard let draft = EmailDraft(decoding: message.body) else {
            return .permanent(reason: "the stored message is not an e-mail draft")
        }
        // Only a Message-ID this channel made threads a message: a reference from
        // anywhere else would be an injected header.
        let inReplyTo = links.replyTo.flatMap { EmailDraft.isMessageID($0) ? $0 : nil }
        let conversation = SMTPConversation(
            security: settings.server.security, clientName: settings.clientName, credentials: settings.credentials,
            sender: settings.sender, recipients: settings.recipients)
        let secrets = [settings.credentials?.password].compactMap { $0 }
        switch await client.deliver(
            MailFormat.dataSection(self.message(draft, inReplyTo: inReplyTo)), conversation: conversation)
        {
        case .delivered:
            return message.links.records.isEmpty ? .delivered : .deliveredAs(reference: draft.messageID)
        case .retry(let reason):
            return .retryable(reason: HTTPPost.redact(reason, secrets: secrets), retryAfter: nil)
        case .reject(let reason):
            return .permanent(reason: HTTPPost.redact(reason, secrets: secrets))
        }
    }
}

/// What `render` decides of one e-mail, kept in the outbox until it is sent: the
/// headers that depend on the server's session are added then.
struct EmailDraft: Sendable, Equatable {
    var subject: String
    var text: String
    var messageID: String
    var date: String

    var encoded: String {
        JSONValue.object([
            "subject": JSONValue(subject), "text": JSONValue(text), "messageID": JSONValue(messageID),
            "date": JSONValue(date),
        ]).encodedString
    }

    init(subject: String, text: String, messageID: String, date: String) {
        self.subject = subject
        self.text = text
        self.messageID = messageID
        self.date = date
    }

    init?(decoding body: String) {
        guard let object = JSONValue.parse(Array(body.utf8)),
            let subject = object["subject"]?.stringValue, let text = object["text"]?.stringValue,
            let messageID = object["messageID"]?.stringValue, Self.isMessageID(messageID),
            let date = object["date"]?.stringValue, date.allSatisfy({ $0.isASCII && !$0.isNewline })
        else { return nil }
        self.init(subject: subject, text: text, messageID: messageID, date: date)
    }

    /// `<left@right>` of printable ASCII, nothing else: safe to put in a header.
    static func isMessageID(_ text: String) -> Bool {
        text.hasPrefix("<") && text.hasSuffix(">") && text.count <= 250 && text.contains("@")
            && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
            && !text.dropFirst().dropLast().contains(where: { $0 == "<" || $0 == ">" })
    }
}
