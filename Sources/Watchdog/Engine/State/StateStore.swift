import FoundationEssentials
import Logging
import Notify

/// Keeps the state file in step with the engine and the outboxes.
///
/// Every write holds the whole state (engine and every outbox), so the file is always
/// one consistent moment. A write that fails (read-only directory, full disk) is logged
/// once per distinct error and retried at the next save: the watchdog keeps running on
/// its in-memory state.
public actor StateStore {
    private let file: StateFile?
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var engine: EngineState
    private var outboxes: @Sendable () async -> [String: [OutboundMessage]] = { [:] }
    private var references: @Sendable () async -> [String: MessageReferences] = { [:] }
    private var chat = ChatMemory()
    /// The engine's state as it is at write time: silences change between ticks too.
    private var engineSource: (@Sendable () async -> EngineState)?
    private var lastWritten: Data?
    private var lastError: String?
    private var startConfirmed = false

    /// `path` nil keeps state in memory only.
    /// `now` is the wall clock the file's `saved_at` is stamped with.
    public init(path: String?, engine: EngineState, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.file = path.map(StateFile.init)
        self.engine = engine
        self.logger = logger
        self.now = now
    }

    public func setOutboxes(_ provider: @escaping @Sendable () async -> [String: [OutboundMessage]]) {
        outboxes = provider
    }

    public func setReferences(_ provider: @escaping @Sendable () async -> [String: MessageReferences]) {
        references = provider
    }

    /// Records where reading the chat is; written with the next save.
    public func setChat(_ memory: ChatMemory) {
        chat = memory
    }

    public var chatMemory: ChatMemory { chat }

    /// Changes one part of where reading the chats is (each chat its own); written with
    /// the next save.
    public func updateChat(_ change: @Sendable (inout ChatMemory) -> Void) {
        change(&chat)
    }

    /// Every write then takes the engine's state from `provider`, so whichever write comes
    /// last holds the newest state (a silence made between a tick's end and its save).
    public func setEngineSource(_ provider: @escaping @Sendable () async -> EngineState) {
        engineSource = provider
    }

    /// Starts in a row that may die before their first tick is saved before the state
    /// file is taken for the cause and set aside: a state the process traps on would
    /// otherwise be a crash loop under `restart: unless-stopped`. Three, so that a
    /// restart killed early by an operator's hand does not cost the outbox.
    public static let unfinishedStartsBeforeSettingAside = 3

    /// Loads the state file at start. A missing file is a fresh start; an unusable one
    /// (it does not parse, or it parses but the last starts on it all died before their
    /// first tick: it does not apply) is moved aside, logged at error level, and replaced
    /// by a fresh state. With `guardsStart` the start is recorded next to the file until
    /// `confirmStart()`; a dry run passes false and writes nothing. (A source memory that
    /// no longer decodes, after an upgrade, is not a reason: that source starts afresh.)
    public static func loadState(
        path: String?, logger: Logger, now: Date, guardsStart: Bool = true
    ) -> PersistedState {
        guard let path else { return .empty }
        let file = StateFile(path: path)
        let unfinished = guardsStart ? file.unfinishedStarts() : 0
        var loaded = file.load()
        if case .loaded = loaded {
            if unfinished >= unfinishedStartsBeforeSettingAside {
                loaded = .unusable(
                    reason: "it does not apply: the last \(unfinished) starts on it ended before their first tick")
            }
        }
        if guardsStart {
            if case .loaded = loaded {
                file.recordStart(unfinishedBefore: unfinished)
            } else {
                file.clearStartMarker()
            }
        }
        switch loaded {
        case .missing:
            logger.info("no state file yet, starting fresh", metadata: ["path": "\(path)"])
            return .empty
        case .loaded(let state):
            logger.info(
                "state loaded",
                metadata: [
                    "path": "\(path)", "alerts": "\(state.engine.alerts.count)",
                    "pending": "\(state.outboxes.values.map(\.count).reduce(0, +))",
                ])
            return state
        case .unusable(let reason):
            do {
                let aside = try file.moveAside(now: now)
                logger.error(
                    "state file unusable, moved aside; starting fresh",
                    metadata: ["path": "\(path)", "moved_to": "\(aside)", "reason": "\(reason)"])
            } catch {
                logger.error(
                    "state file unusable and cannot be moved aside; starting fresh",
                    metadata: ["path": "\(path)", "reason": "\(reason)", "error": "\(error)"])
            }
            return .empty
        }
    }

    /// The first tick of this start is saved: the state file applied without trouble.
    public func confirmStart() {
        guard let file, !startConfirmed else { return }
        startConfirmed = true
        file.clearStartMarker()
    }

    /// Records the engine's state and writes the file.
    public func save(engine: EngineState) async {
        self.engine = engine
        await save()
    }

    /// Writes the file with the latest engine state and the outboxes as they are now.
    /// Skips the write when nothing changed since the last one.
    public func save() async {
        guard let file else { return }
        if let engineSource { engine = await engineSource() }
        let state = PersistedState(
            savedAt: Date(timeIntervalSince1970: 0), engine: engine, outboxes: await outboxes(),
            references: await references(), chat: chat)
        do {
            let comparable = try StateFile.encode(state)
            guard comparable != lastWritten else { return }
            var stamped = state
            stamped.savedAt = now()
            try file.write(StateFile.encode(stamped))
            lastWritten = comparable
            if lastError != nil {
                logger.notice("state file writable again", metadata: ["path": "\(file.path)"])
                lastError = nil
            }
        } catch {
            let reason = "\(error)"
            if reason != lastError {
                logger.error(
                    "cannot write the state file; state is kept in memory",
                    metadata: ["path": "\(file.path)", "error": "\(reason)"])
                lastError = reason
            }
        }
    }
}
