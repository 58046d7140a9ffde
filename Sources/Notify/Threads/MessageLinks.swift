/// How one outbound message relates to the channel's earlier messages (SPEC §5 "Threads
/// and edits"), named by alert key so that it can be rendered before anything is sent:
/// the outbox resolves the keys to the message ids it has recorded when it sends.
public struct MessageLinks: Sendable, Codable, Equatable {
    /// Once delivered, this message's id becomes the reference of these keys (a fire, or
    /// a digest for every key it fires).
    public var records: [String]
    /// The message the reference of this key names is the one this answers (a repeat or
    /// a resolve, in the fire's thread).
    public var replyToKey: String?
    /// A message id this answers directly (a command's answer, under the command).
    public var replyToMessage: String?
    /// This message replaces the text of the message this key's reference names (the fire,
    /// on resolve); the reference is forgotten afterwards. Nothing is sent when the key
    /// has no reference or it names a digest.
    public var editsKey: String?
    /// This message replaces the text of this message id (a button press).
    public var editsMessage: String?
    /// The key the message's Ack / Silence buttons act on (Telegram with commands on).
    public var buttonsKey: String?
    /// This message replaces the text of the message this key's reference names, and the
    /// reference stays (an acknowledgement noted on the fire, which still gets its
    /// resolve). Nothing is sent when the key has no reference or it names a digest.
    public var annotatesKey: String?

    public init(
        records: [String] = [], replyToKey: String? = nil, replyToMessage: String? = nil, editsKey: String? = nil,
        editsMessage: String? = nil, buttonsKey: String? = nil
    ) {
        self.records = records
        self.replyToKey = replyToKey
        self.replyToMessage = replyToMessage
        self.editsKey = editsKey
        self.editsMessage = editsMessage
        self.buttonsKey = buttonsKey
    }

    public static let none = MessageLinks()

    /// How a batch threads in a channel that can reply to its own messages: a fire is
    /// remembered for its key, a repeat or resolve answers it; a digest is remembered
    /// for every key it fires.
    public static func thread(_ batch: NotificationBatch) -> MessageLinks {
        switch batch {
        case .single(let notification):
            notification.action == .fire
                ? MessageLinks(records: [notification.key]) : MessageLinks(replyToKey: notification.key)
        case .digest(let notifications):
            MessageLinks(records: notifications.filter { $0.action == .fire }.map(\.key))
        }
    }

    public var isEdit: Bool { editsKey != nil || editsMessage != nil || annotatesKey != nil }

    /// The links of a note written into a key's fire message (SPEC §4.3).
    public static func annotating(_ key: String) -> MessageLinks {
        var links = MessageLinks()
        links.annotatesKey = key
        return links
    }
}

/// The links of one message with the keys resolved to the ids the channel knows: what a
/// channel's `send` acts on.
public struct ResolvedLinks: Sendable, Equatable {
    /// Reply to this message id.
    public var replyTo: String?
    /// Edit this message id instead of sending a new message.
    public var edit: String?
    /// The short id the buttons carry for their key (`ButtonID`).
    public var buttons: String?

    public init(replyTo: String? = nil, edit: String? = nil, buttons: String? = nil) {
        self.replyTo = replyTo
        self.edit = edit
        self.buttons = buttons
    }

    public static let none = ResolvedLinks()
}

/// Telegram's `callback_data` is at most 64 bytes and a key can be longer, so a button
/// names its key through a short id: derived from the key (FNV-1a, 64 bits, base 36),
/// so rendering needs no state, and kept with the key in `MessageReferences` so a press
/// can be read back.
public enum ButtonID {
    public static func of(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 36)
    }
}
