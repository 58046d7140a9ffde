import FoundationEssentials
import Logging
import Notify

/// The Matrix adapter of the chat core (SPEC §13): reads a room's `/sync` batch as
/// commands (`!status`) and reactions (👍 on a fire) for `ChatCore`, carries the changes
/// out through the silence keeper and queues the answers and edits in the room's outbox,
/// paced with the alerts.
///
/// Each event is handled whole before the next: its id among the batch's handled ones,
/// the change it made and its answer go into the state file in one write, and only then
/// is the answer released. A restart asks for the same batch again and skips what was
/// handled; once a batch is done, the next is asked for by its `next_batch`.
public actor MatrixConversation<C: Clock> where C.Duration == Duration {
    let engine: TickEngine<C>
    let store: StateStore
    let status: WatchdogStatus
    let outbox: ChannelOutbox<C>
    let channel: MatrixChannel
    let core: ChatCore
    let keeper: EngineSilenceKeeper<C>
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        engine: TickEngine<C>, store: StateStore, status: WatchdogStatus, outbox: ChannelOutbox<C>,
        channel: MatrixChannel, language: Language, logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        self.engine = engine
        self.store = store
        self.status = status
        self.outbox = outbox
        self.channel = channel
        self.core = ChatCore(language: language, prefix: "!", botName: nil)
        self.keeper = EngineSilenceKeeper(engine: engine, store: store, status: status, savesEachChange: false)
        self.logger = logger
        self.now = now
    }

    /// Where the room's `/sync` is; nil before the first sync ever.
    public func position() async -> MatrixSyncPosition? {
        await store.chatMemory.matrix[channel.name]
    }

    /// The first sync ever: what the room said before it is history, never run; reading
    /// starts at `nextBatch`.
    public func begin(at nextBatch: String) async {
        let name = channel.name
        await store.updateChat { $0.matrix[name] = MatrixSyncPosition(since: nextBatch) }
        await store.save()
    }

    /// Whether a batch has events the power levels are needed for.
    public func needsPowerLevels(_ batch: MatrixSync.Batch, bot: String) -> Bool {
        guard channel.settings.admins.isEmpty else { return false }
        return batch.events.contains { event in
            switch event.kind {
            case .text(let text): event.sender != bot && text.hasPrefix("!")
            case .reaction: event.sender != bot
            default: false
            }
        }
    }

    /// Handles the batch asked for with `since`. `levels` are the room's power levels
    /// when `needsPowerLevels` said they are needed.
    public func handle(
        _ batch: MatrixSync.Batch, since: String, roomID: String, bot: String,
        levels: (users: [String: Int], usersDefault: Int)?
    ) async {
        let name = channel.name
        var handled = await store.chatMemory.matrix[name].flatMap { $0.since == since ? $0.handled : nil } ?? []
        // What the room said before the bot's own join in this batch was said to others.
        let start = batch.events.lastIndex { $0.kind == .membership(user: bot, membership: "join") }.map { $0 + 1 } ?? 0
        let access = access(roomID: roomID, levels: levels)
        for event in batch.events[start...] where event.sender != bot && !handled.contains(event.id) {
            let inbound: ChatInbound
            let sender = ChatSender(id: event.sender, names: [event.sender], shownName: event.sender)
            let place = ChatPlace(room: roomID)
            switch event.kind {
            case .text(let text):
                inbound = ChatInbound(.message(text: text, message: event.id), sender: sender, place: place)
            case .reaction(let emoji, let target):
                let key = await outbox.references.key(ofMessage: target).flatMap(SignalKey.init(parsing:))
                inbound = ChatInbound(.reaction(emoji: emoji, key: key, message: target), sender: sender, place: place)
            case .membership, .other:
                continue
            }
            let snapshot = await ChatSnapshot.current(engine: engine, status: status, access: access, now: now())
            let effects = core.handle(inbound, snapshot)
            let changes = ChatChanges(keeper: keeper, core: core, logger: logger, via: channel.name)
            guard effects.contains(where: { $0.isSaid || $0.isChange }) else {
                // Talk, or a refusal with nothing to say: logged, never marked.
                _ = await changes.carryOut(effects, for: inbound, now: snapshot.now)
                continue
            }
            logger.info("chat command", metadata: ["sender_id": "\(event.sender)", "event_id": "\(event.id)"])
            // Marked before the change, as Telegram's offset is: whichever write comes
            // first holds both, so a crash can never make the change twice.
            handled.append(event.id)
            let done = handled
            await store.updateChat { $0.matrix[name] = MatrixSyncPosition(since: since, handled: done) }
            let said = await changes.carryOut(effects, for: inbound, now: snapshot.now)
            await stage(said, answering: event.id, thread: event.thread)
            await store.save()
            await outbox.release()
        }
        // In the batch of the bot's join, what was left out is history anyway.
        if batch.limited, start == 0 {
            logger.warning(
                "more happened in the room than one sync holds; the oldest events were not read",
                metadata: ["channel": "\(name)", "limit": "\(MatrixSync.timelineLimit)"])
        }
        // Written with the next save: should it be lost, the batch is read again and
        // what it holds is either handled already or talk.
        let next = batch.nextBatch
        await store.updateChat { $0.matrix[name] = MatrixSyncPosition(since: next) }
    }

    /// Who may act in the room: the admins listed, else by power level.
    func access(roomID: String, levels: (users: [String: Int], usersDefault: Int)?) -> ChatAccess {
        let settings = channel.settings
        let rule: ChatAccess.Rule =
            settings.admins.isEmpty
            ? .powerLevel(
                minimum: settings.minimumPower, levels: levels?.users ?? [:],
                // Without the room's levels nobody is allowed.
                usersDefault: levels?.usersDefault ?? Int.min)
            : .listed(Set(settings.admins.map { $0.lowercased() }), list: "admins of \(channel.name)")
        return ChatAccess(place: ChatPlace(room: roomID), rule: rule)
    }

    /// Answers as notices replying to the event (in its thread, when it was written in
    /// one), edits as replacements of the fire.
    private func stage(_ said: [ChatEffect], answering event: String, thread: String?) async {
        var messages: [OutboundMessage] = []
        for effect in said {
            switch effect {
            case .answer(let lines):
                messages += MatrixRenderer.answer(lines, replyTo: event, thread: thread).enumerated().map {
                    index, body in
                    OutboundMessage(id: "chat:\(event):\(index + 1)", body: body, silent: true)
                }
            case .toast(let text):
                // Matrix has no toasts: what a button would toast is a short answer.
                messages += MatrixRenderer.answer([text], replyTo: event, thread: thread).map {
                    OutboundMessage(id: "chat:\(event):toast", body: $0, silent: true)
                }
            case .edit(let fire, let notification, let note):
                messages.append(
                    OutboundMessage(
                        id: "edit:\(event)", body: channel.renderer.annotated(notification, note: note), silent: true,
                        links: MessageLinks(editsMessage: fire)))
            default:
                break
            }
        }
        if !messages.isEmpty { await outbox.stage(messages: messages) }
    }
}
