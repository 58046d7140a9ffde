import FoundationEssentials
import Logging
import Notify

/// The Telegram adapter of the chat core (SPEC §13): reads each update as a command or
/// a button press for `ChatCore`, carries the changes it asks for out through the
/// silence keeper, queues its answers and edits in the Telegram outbox (paced with the
/// alerts) and answers presses with `answerCallbackQuery`.
///
/// Each update is handled whole before the next: the offset past it, the change it made
/// and its answer go into the state file in one write, and only then is the answer
/// released. A crash before that write runs the update again after the restart; after
/// it, never again.
public actor ChatConversation<C: Clock> where C.Duration == Duration {
    let engine: TickEngine<C>
    let store: StateStore
    let status: WatchdogStatus
    let outbox: ChannelOutbox<C>
    let channel: TelegramChannel
    let texts: Texts
    let authorization: ChatAuthorization
    let keeper: EngineSilenceKeeper<C>
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        engine: TickEngine<C>, store: StateStore, status: WatchdogStatus, outbox: ChannelOutbox<C>,
        channel: TelegramChannel, language: Language, logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        self.engine = engine
        self.store = store
        self.status = status
        self.outbox = outbox
        self.channel = channel
        self.texts = Texts(language)
        self.authorization = ChatAuthorization(admins: channel.settings.admins, threadID: channel.settings.threadID)
        self.keeper = EngineSilenceKeeper(engine: engine, store: store, status: status, savesEachChange: false)
        self.logger = logger
        self.now = now
    }

    /// The offset to ask `getUpdates` for next.
    public func offset() async -> Int64? {
        await store.chatMemory.updateOffset
    }

    /// Handles updates in order; `botName` is the bot's username, for `/cmd@name`.
    public func handle(_ updates: [TelegramUpdate], botName: String?) async {
        var unsaved = false
        for update in updates.sorted(by: { $0.updateID < $1.updateID }) {
            if let done = await store.chatMemory.updateOffset, update.updateID < done { continue }
            let (next, overflow) = update.updateID.addingReportingOverflow(1)
            let offset = overflow ? update.updateID : next
            await store.updateChat { $0.updateOffset = offset }
            let core = ChatCore(language: texts.language, prefix: "/", botName: botName)
            let said: [ChatEffect]
            var pressID: String?
            if let message = update.message {
                // Talk in a group is no command: its offset is saved with the next write,
                // and should it be read again after a crash, it is ignored again.
                guard let text = message.text else {
                    unsaved = true
                    continue
                }
                let inbound = ChatInbound(
                    .message(text: text, message: String(message.messageID)), sender: message.sender?.chatSender,
                    place: ChatPlace(room: String(message.chatID), thread: message.threadID.map(String.init)))
                let snapshot = await snapshot()
                let effects = core.handle(inbound, snapshot)
                if effects.contains(where: { $0.isSaid || $0.isChange }) {
                    logger.info(
                        "chat command",
                        metadata: ["sender_id": "\(message.sender?.id ?? 0)", "command": "\(text.prefix(80))"])
                }
                said = await changes(core).carryOut(effects, for: inbound, now: snapshot.now)
                guard !said.isEmpty else {
                    unsaved = true
                    continue
                }
                await stage(said, replyingTo: message.messageID, updateID: update.updateID)
            } else if let press = update.callback {
                pressID = press.id
                let request = press.data.flatMap(ButtonRequest.init(data:))
                var key: SignalKey?
                if let request, let text = await outbox.references.key(ofButton: request.buttonID) {
                    key = SignalKey(parsing: text)
                }
                let inbound = ChatInbound(
                    .button(request, key: key, message: press.message.map { String($0.messageID) }),
                    sender: press.sender.chatSender,
                    place: press.message.map {
                        ChatPlace(room: String($0.chatID), thread: $0.threadID.map(String.init))
                    })
                let snapshot = await snapshot()
                let effects = core.handle(inbound, snapshot)
                if effects.contains(where: \.isChange) {
                    logger.info(
                        "button pressed",
                        metadata: [
                            "sender_id": "\(press.sender.id)", "key": "\(key?.description ?? "?")",
                            "data": "\(press.data ?? "")",
                        ])
                }
                said = await changes(core).carryOut(effects, for: inbound, now: snapshot.now)
                await stage(said, replyingTo: nil, updateID: update.updateID, pressID: press.id)
            } else {
                said = []
            }
            await store.save()
            unsaved = false
            await outbox.release()
            if let pressID, let toast = said.lazy.compactMap(\.toast).first {
                let verdict = await channel.call(
                    "answerCallbackQuery", body: TelegramAPI.answerCallbackQueryBody(id: pressID, text: toast))
                if case .rejected(let reason) = verdict {
                    logger.warning("button press not answered", metadata: ["reason": "\(channel.scrub(reason))"])
                }
            }
        }
        if unsaved { await store.save() }
    }

    private func changes(_ core: ChatCore) -> ChatChanges {
        ChatChanges(keeper: keeper, core: core, logger: logger, via: channel.name)
    }

    private func snapshot() async -> ChatSnapshot {
        await ChatSnapshot.current(
            engine: engine, status: status, access: authorization.access(chatID: channel.currentChatID), now: now())
    }

    /// Queues answers (split at Telegram's length, without a sound: whoever asked is
    /// reading) and edits; a toast is answered after the write.
    private func stage(_ said: [ChatEffect], replyingTo message: Int64?, updateID: Int64, pressID: String? = nil)
        async
    {
        var messages: [OutboundMessage] = []
        for effect in said {
            switch effect {
            case .answer(let lines):
                let parts = TelegramText.split(lines: lines)
                messages += parts.enumerated().map { index, body in
                    OutboundMessage(
                        id: "chat:\(updateID):\(index + 1)", body: body, silent: true,
                        links: MessageLinks(replyToMessage: index == 0 ? message.map(String.init) : nil))
                }
            case .edit(let edited, let fire, let note):
                messages.append(
                    OutboundMessage(
                        id: "press:\(pressID ?? String(updateID))", body: channel.renderer.annotated(fire, note: note),
                        silent: true, links: MessageLinks(editsMessage: edited)))
            default:
                break
            }
        }
        if !messages.isEmpty { await outbox.stage(messages: messages) }
    }
}
