/// What one channel remembers of its delivered messages (SPEC §5, §13): per firing key
/// the id of the message that announced it, and per button id the key it acts on. Kept
/// in the state file with the outbox; bounded, the oldest forgotten first.
public struct MessageReferences: Sendable, Codable, Equatable {
    /// One key's announcing message.
    public struct Reference: Sendable, Codable, Equatable {
        /// Telegram `message_id`, Slack `ts`.
        public var message: String
        /// A digest's id, shared by all its keys: replied to, never edited for one of them.
        public var shared: Bool

        public init(message: String, shared: Bool = false) {
            self.message = message
            self.shared = shared
        }
    }

    /// More keys than any chat holds firing at once; beyond it the oldest are forgotten
    /// (their repeats and resolves then start a new thread).
    public static let capacity = 1_000

    public private(set) var byKey: [String: Reference] = [:]
    /// Keys in the order they were recorded, oldest first.
    private var keyOrder: [String] = []
    public private(set) var buttons: [String: String] = [:]
    private var buttonOrder: [String] = []

    public init() {}

    public func reference(of key: String) -> Reference? { byKey[key] }

    /// The key whose own announcing message is `message` (a digest's is no one key's).
    public func key(ofMessage message: String) -> String? {
        byKey.first { !$0.value.shared && $0.value.message == message }?.key
    }

    /// The key a button id stands for, when it is still remembered.
    public func key(ofButton id: String) -> String? { buttons[id] }

    public mutating func record(_ message: String, for keys: [String]) {
        let shared = keys.count > 1
        for key in keys {
            if byKey[key] != nil { keyOrder.removeAll { $0 == key } }
            byKey[key] = Reference(message: message, shared: shared)
            keyOrder.append(key)
        }
        while keyOrder.count > Self.capacity {
            byKey[keyOrder.removeFirst()] = nil
        }
    }

    public mutating func forget(_ key: String) {
        guard byKey.removeValue(forKey: key) != nil else { return }
        keyOrder.removeAll { $0 == key }
    }

    public mutating func rememberButtons(for key: String) {
        let id = ButtonID.of(key)
        if buttons[id] == nil {
            buttonOrder.append(id)
        }
        buttons[id] = key
        while buttonOrder.count > Self.capacity {
            buttons[buttonOrder.removeFirst()] = nil
        }
    }

    /// The keys of `links` resolved to message ids; nil when it is an edit with nothing
    /// to edit (the fire went out before references, or as part of a digest).
    public func resolve(_ links: MessageLinks) -> ResolvedLinks? {
        var resolved = ResolvedLinks()
        resolved.replyTo = links.replyToMessage ?? links.replyToKey.flatMap { byKey[$0]?.message }
        if let direct = links.editsMessage {
            resolved.edit = direct
        } else if let key = links.editsKey ?? links.annotatesKey {
            guard let reference = byKey[key], !reference.shared else { return nil }
            resolved.edit = reference.message
        }
        resolved.buttons = links.buttonsKey.map(ButtonID.of)
        return resolved
    }

    /// After `links`' message was delivered (as `message`, when it is a new one).
    public mutating func delivered(_ links: MessageLinks, as message: String?) {
        if let message, !links.records.isEmpty { record(message, for: links.records) }
        if let key = links.buttonsKey { rememberButtons(for: key) }
        if let key = links.editsKey { forget(key) }
    }

    enum CodingKeys: String, CodingKey {
        case keys, buttons
    }

    /// Stored as two ordered lists, so the order survives a restart.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let keys = try container.decodeIfPresent([StoredKey].self, forKey: .keys) ?? []
        let buttons = try container.decodeIfPresent([StoredButton].self, forKey: .buttons) ?? []
        for stored in keys.suffix(Self.capacity) {
            if byKey[stored.key] == nil { keyOrder.append(stored.key) }
            byKey[stored.key] = Reference(message: stored.message, shared: stored.shared ?? false)
        }
        for stored in buttons.suffix(Self.capacity) {
            if self.buttons[stored.id] == nil { buttonOrder.append(stored.id) }
            self.buttons[stored.id] = stored.key
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(
            keyOrder.compactMap { key in
                byKey[key].map { StoredKey(key: key, message: $0.message, shared: $0.shared ? true : nil) }
            }, forKey: .keys)
        try container.encode(
            buttonOrder.compactMap { id in buttons[id].map { StoredButton(id: id, key: $0) } }, forKey: .buttons)
    }

    private struct StoredKey: Codable {
        var key: String
        var message: String
        var shared: Bool?
    }

    private struct StoredButton: Codable {
        var id: String
        var key: String
    }

    public static func == (lhs: MessageReferences, rhs: MessageReferences) -> Bool {
        lhs.byKey == rhs.byKey && lhs.keyOrder == rhs.keyOrder && lhs.buttons == rhs.buttons
            && lhs.buttonOrder == rhs.buttonOrder
    }
}
