import FoundationEssentials
import Notify

/// The state file's content (`WATCHDOG_STATE_FILE`): what a restart must not forget.
public struct PersistedState: Sendable, Codable, Equatable {
    /// Bumped when the format changes meaning; a file from a newer version is set aside.
    public static let currentVersion = 1

    public var version: Int
    public var savedAt: Date
    /// Alert states and collector failure streaks.
    public var engine: EngineState
    /// Undelivered messages per channel name, oldest first.
    public var outboxes: [String: [OutboundMessage]]
    /// Per channel name, the ids of delivered messages that replies and edits name.
    public var references: [String: MessageReferences]
    /// Where reading the chat left off (SPEC §13).
    public var chat: ChatMemory

    public init(
        version: Int = PersistedState.currentVersion, savedAt: Date, engine: EngineState,
        outboxes: [String: [OutboundMessage]], references: [String: MessageReferences] = [:],
        chat: ChatMemory = ChatMemory()
    ) {
        self.version = version
        self.savedAt = savedAt
        self.engine = engine
        self.outboxes = outboxes
        self.references = references
        self.chat = chat
    }

    enum CodingKeys: String, CodingKey {
        case version, savedAt, engine, outboxes, references, chat
    }

    /// State files from before threads and commands have neither.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        savedAt = try container.decode(Date.self, forKey: .savedAt)
        engine = try container.decode(EngineState.self, forKey: .engine)
        outboxes = try container.decode([String: [OutboundMessage]].self, forKey: .outboxes)
        references = try container.decodeIfPresent([String: MessageReferences].self, forKey: .references) ?? [:]
        chat = try container.decodeIfPresent(ChatMemory.self, forKey: .chat) ?? ChatMemory()
    }

    public static let empty = PersistedState(
        savedAt: Date(timeIntervalSince1970: 0), engine: EngineState(), outboxes: [:])
}

/// What reading the chats must not forget across a restart: where each reads next, so
/// no command runs twice (SPEC §13).
public struct ChatMemory: Sendable, Codable, Equatable {
    /// `getUpdates`' offset: one more than the last update handled.
    public var updateOffset: Int64?
    /// Per Matrix channel name, where its `/sync` is.
    public var matrix: [String: MatrixSyncPosition]

    public init(updateOffset: Int64? = nil, matrix: [String: MatrixSyncPosition] = [:]) {
        self.updateOffset = updateOffset
        self.matrix = matrix
    }

    enum CodingKeys: String, CodingKey {
        case updateOffset, matrix
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        updateOffset = try container.decodeIfPresent(Int64.self, forKey: .updateOffset)
        matrix = try container.decodeIfPresent([String: MatrixSyncPosition].self, forKey: .matrix) ?? [:]
    }
}

/// Where one Matrix room's `/sync` is: the token the batch being read was asked with,
/// and the events of that batch already handled. A batch is answered by one token for
/// all its events, so a restart in the middle of one asks for it again and skips what
/// was done; once it is all done, `since` moves to its `next_batch`.
public struct MatrixSyncPosition: Sendable, Codable, Equatable {
    public var since: String
    public var handled: [String]

    public init(since: String, handled: [String] = []) {
        self.since = since
        self.handled = handled
    }
}
