import FoundationEssentials

/// One `getUpdates` item, read leniently: a part this does not understand is nil, never
/// an error, so an update of an unexpected shape is skipped (its id still advances the
/// offset) instead of being fetched again forever.
public struct TelegramUpdate: Sendable, Decodable, Equatable {
    public var updateID: Int64
    public var message: ChatMessage?
    public var callback: ButtonPress?

    public struct Sender: Sendable, Decodable, Equatable {
        public var id: Int64
        public var username: String?
        public var firstName: String?

        public init(id: Int64, username: String? = nil, firstName: String? = nil) {
            self.id = id
            self.username = username
            self.firstName = firstName
        }

        enum CodingKeys: String, CodingKey {
            case id, username
            case firstName = "first_name"
        }

        /// How answers and silences name the sender: `@alice`, else the first name, else
        /// the id. Outside text: cut here, escaped where it is shown.
        public var shownName: String {
            if let username, !username.isEmpty { return "@" + String(username.prefix(32)) }
            if let firstName, !firstName.isEmpty { return String(firstName.prefix(64)) }
            return "user \(id)"
        }
    }

    public struct ChatMessage: Sendable, Decodable, Equatable {
        public var messageID: Int64
        public var chatID: Int64
        public var threadID: Int64?
        public var sender: Sender?
        public var text: String?

        public init(messageID: Int64, chatID: Int64, threadID: Int64? = nil, sender: Sender?, text: String?) {
            self.messageID = messageID
            self.chatID = chatID
            self.threadID = threadID
            self.sender = sender
            self.text = text
        }

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case chat
            case threadID = "message_thread_id"
            case sender = "from"
            case text
        }

        struct Chat: Decodable {
            var id: Int64
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            messageID = try container.decode(Int64.self, forKey: .messageID)
            chatID = try container.decode(Chat.self, forKey: .chat).id
            threadID = try? container.decodeIfPresent(Int64.self, forKey: .threadID)
            sender = try? container.decodeIfPresent(Sender.self, forKey: .sender)
            // Commands are short; a long text is no command of ours.
            text = (try? container.decodeIfPresent(String.self, forKey: .text)).flatMap { $0 }.map {
                String($0.prefix(4096))
            }
        }
    }

    public struct ButtonPress: Sendable, Decodable, Equatable {
        public var id: String
        public var sender: Sender
        /// The message the button is on; nil when it is too old for Telegram to say.
        public var message: ChatMessage?
        public var data: String?

        public init(id: String, sender: Sender, message: ChatMessage?, data: String?) {
            self.id = id
            self.sender = sender
            self.message = message
            self.data = data
        }

        enum CodingKeys: String, CodingKey {
            case id, message, data
            case sender = "from"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = String(try container.decode(String.self, forKey: .id).prefix(128))
            sender = try container.decode(Sender.self, forKey: .sender)
            message = try? container.decodeIfPresent(ChatMessage.self, forKey: .message)
            data = (try? container.decodeIfPresent(String.self, forKey: .data)).flatMap { $0 }.map {
                String($0.prefix(64))
            }
        }
    }

    public init(updateID: Int64, message: ChatMessage? = nil, callback: ButtonPress? = nil) {
        self.updateID = updateID
        self.message = message
        self.callback = callback
    }

    enum CodingKeys: String, CodingKey {
        case updateID = "update_id"
        case message
        case callback = "callback_query"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        updateID = try container.decode(Int64.self, forKey: .updateID)
        message = try? container.decodeIfPresent(ChatMessage.self, forKey: .message)
        callback = try? container.decodeIfPresent(ButtonPress.self, forKey: .callback)
    }

    /// A `getUpdates` answer's `result`: the updates that have an id, in order. Items
    /// without one are dropped (nothing could ever acknowledge them).
    public static func list(from body: [UInt8]) -> [TelegramUpdate]? {
        struct Answer: Decodable {
            var ok: Bool
            var result: [Lenient]?
        }
        struct Lenient: Decodable {
            var update: TelegramUpdate?
            init(from decoder: any Decoder) throws {
                update = try? TelegramUpdate(from: decoder)
            }
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)), answer.ok else { return nil }
        return (answer.result ?? []).compactMap(\.update)
    }

    /// `getMe`'s `result.username`: the bot's own name, for `/status@name`.
    public static func botName(from body: [UInt8]) -> String? {
        struct Answer: Decodable {
            struct Bot: Decodable { var username: String? }
            var ok: Bool
            var result: Bot?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)), answer.ok else { return nil }
        return answer.result?.username
    }
}
