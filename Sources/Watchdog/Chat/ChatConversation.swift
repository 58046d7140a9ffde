import FoundationEssentials
import Logging
import Notify

/// Carries out what the chat asks (SPEC §13): reads each update as a command or a button
/// press, checks who asks (SPEC §12), changes silences and acknowledgements in the
/// engine, and queues the answer in the Telegram outbox, paced with the alerts.
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
            await store.setChat(ChatMemory(updateOffset: overflow ? update.updateID : next))
            var toast: (id: String, text: String)?
            if let message = update.message {
                // Talk in a group is no command: its offset is saved with the next write,
                // and should it be read again after a crash, it is ignored again.
                guard await handle(message, updateID: update.updateID, botName: botName) else {
                    unsaved = true
                    continue
                }
            } else if let press = update.callback {
                toast = (press.id, await handle(press))
            }
            await store.save()
            unsaved = false
            await outbox.release()
            if let toast {
                let verdict = await channel.call(
                    "answerCallbackQuery", body: TelegramAPI.answerCallbackQueryBody(id: toast.id, text: toast.text))
                if case .rejected(let reason) = verdict {
                    logger.warning("button press not answered", metadata: ["reason": "\(channel.scrub(reason))"])
                }
            }
        }
        if unsaved { await store.save() }
    }

    // MARK: commands

    /// Carries out a command; false when the message was none of ours.
    private func handle(_ message: TelegramUpdate.ChatMessage, updateID: Int64, botName: String?) async -> Bool {
        guard let text = message.text else { return false }
        let command = ChatCommand.parse(text, botName: botName)
        guard command != .ignored else { return false }
        let sender = message.sender
        switch authorization.check(
            sender: sender, chat: message.chatID, thread: message.threadID, chatID: channel.currentChatID)
        {
        case .elsewhere:
            logger.notice(
                "chat command from another chat ignored",
                metadata: ["sender_id": "\(sender?.id ?? 0)", "chat_id": "\(message.chatID)"])
            return false
        case .refused(let reason):
            logger.notice(
                "chat command refused", metadata: ["sender_id": "\(sender?.id ?? 0)", "reason": "\(reason)"])
            await answer([texts.chatNotAllowed()], to: message, updateID: updateID)
            return true
        case .allowed:
            break
        }
        let who = sender?.shownName ?? "chat"
        logger.info(
            "chat command", metadata: ["sender_id": "\(sender?.id ?? 0)", "command": "\(text.prefix(80))"])
        let lines: [String]
        let at = now()
        switch command {
        case .status:
            lines = await statusLines(at: at)
        case .silences:
            lines = await silencesLines(at: at)
        case .help, .ignored:
            lines = texts.chatHelp()
        case .invalid(let reason):
            lines = [texts.chatInvalid(ChannelText.safe(reason, limit: 300))]
        case .silence(let matchers, let duration, let reason):
            lines = await silence(matchers, for: duration, reason: reason, by: who, at: at)
        case .unsilence(let id):
            lines = [await unsilence(id, at: at)]
        case .ack(let key):
            let shownKey = ChannelText.safe(key.description, limit: 200)
            lines = [
                await engine.acknowledge(key, by: who, now: at)
                    ? texts.chatAcknowledged(key: shownKey, by: ChannelText.safe(who, limit: 64))
                    : texts.chatNotFiring(key: shownKey)
            ]
            status.recordSilences(await engine.state.silences)
        }
        await answer(lines, to: message, updateID: updateID)
        return true
    }

    private func snapshot() async -> WatchdogStatus.Snapshot {
        var snapshot = status.snapshot()
        let state = await engine.state
        snapshot.alerts = state.alerts
        snapshot.book = state.silences
        return snapshot
    }

    private func statusLines(at now: Date) async -> [String] {
        let snapshot = await snapshot()
        let instance = ChannelText.safe(snapshot.instance, limit: 100)
        let firing = FiringAlert.list(from: snapshot, now: now)
        guard !firing.isEmpty else { return [texts.chatAllClear(instance: instance)] }
        return [texts.chatFiringHeader(count: firing.count, instance: instance)]
            + firing.map { alert in
                var parts = [
                    "<code>\(ChannelText.safe(alert.key, limit: 200))</code>",
                    alert.severity,
                    ChannelText.safe(alert.title, limit: 120),
                ]
                if let since = alert.since { parts.append(texts.chatSince(ConsoleRenderer.timestamp(since))) }
                if !alert.silencedBy.isEmpty {
                    parts.append(
                        texts.chatSilencedBy(ChannelText.safe(alert.silencedBy.joined(separator: ", "), limit: 200)))
                }
                if let by = alert.acknowledgedBy {
                    parts.append(texts.chatAcknowledgedBy(ChannelText.safe(by, limit: 64)))
                }
                if alert.flapping { parts.append(texts.chatFlapping()) }
                return parts.joined(separator: " · ")
            }
    }

    private func silencesLines(at now: Date) async -> [String] {
        let inForce = await snapshot().silencesInForce(at: now)
        guard !inForce.isEmpty else { return [texts.chatNoSilences()] }
        return [texts.chatSilencesHeader(count: inForce.count)]
            + inForce.map { silence in
                [
                    "<code>\(ChannelText.safe(silence.id, limit: 64))</code>",
                    ChannelText.safe(silence.matchers.map(\.description).joined(separator: ", "), limit: 300),
                    silence.endsAt.map { texts.chatUntil(ConsoleRenderer.timestamp($0)) } ?? texts.chatStanding(),
                    ChannelText.safe(silence.createdBy, limit: 64),
                    ChannelText.safe(silence.comment, limit: 200),
                ].filter { !$0.isEmpty }.joined(separator: " · ")
            }
    }

    private func silence(_ keys: [SignalKey], for duration: Duration, reason: String, by who: String, at now: Date)
        async -> [String]
    {
        let silence: Silence
        do {
            silence = try await chatSilence(keys, for: duration, reason: reason, by: who, at: now)
            let book = try await engine.upsertSilence(silence, now: now)
            status.recordSilences(book)
        } catch {
            return [texts.chatSilenceRefused(ChannelText.safe(error.reason, limit: 300))]
        }
        let snapshot = await snapshot()
        let matching = SilenceSet([silence])
        let keysNow = snapshot.alerts.filter { $0.value.state.firing || $0.value.state.isFlapping }
            .filter { key, alert in
                !matching.silencing(
                    SilenceSet.labels(of: key, severity: alert.signal.severity, instance: snapshot.instance)
                ).isEmpty
            }
            .keys.sorted().map { "<code>\(ChannelText.safe($0.description, limit: 200))</code>" }
        logger.notice(
            "silence made from the chat",
            metadata: ["id": "\(silence.id)", "by": "\(who)", "matchers": "\(silence.matchers.map(\.description))"])
        return [
            texts.chatSilenceMade(
                id: silence.id, until: ConsoleRenderer.timestamp(silence.endsAt ?? now),
                by: ChannelText.safe(who, limit: 64)),
            keysNow.isEmpty ? texts.chatMatchesNothing() : texts.chatMatchesNow(keysNow.joined(separator: ", ")),
        ]
    }

    /// A silence from the chat: from now for `duration`, named so it can be typed back
    /// (short, so never one a silence of the book already has: that would replace it).
    func chatSilence(_ keys: [SignalKey], for duration: Duration, reason: String, by who: String, at now: Date)
        async throws(SilenceError) -> Silence
    {
        let taken = Set(await engine.state.silences.silences.map(\.id))
        var id: String
        repeat {
            id = "chat-" + UUID().uuidString.lowercased().prefix(8)
        } while taken.contains(id)
        return try Silence(
            id: id, matchers: [LabelMatcher.anyOf(keys)], startsAt: now,
            endsAt: now.addingTimeInterval(duration.seconds), createdBy: who,
            comment: reason.isEmpty ? "from the chat" : reason, origin: .chat, updatedAt: now)
    }

    private func unsilence(_ id: String, at now: Date) async -> String {
        let shownID = ChannelText.safe(id, limit: 64)
        if status.snapshot().configured.silences(at: now).contains(where: { $0.id == id })
            || SilenceAPI.isConfigured(id)
        {
            return texts.chatConfiguredSilence(id: shownID)
        }
        guard let book = await engine.expireSilence(id: id, now: now) else {
            return texts.chatNoSuchSilence(id: shownID)
        }
        status.recordSilences(book)
        logger.notice("silence lifted from the chat", metadata: ["id": "\(id)"])
        return texts.chatUnsilenced(id: shownID)
    }

    /// Queues `lines` as the answer to `message`, split at Telegram's length, without a
    /// sound (whoever asked is reading).
    private func answer(_ lines: [String], to message: TelegramUpdate.ChatMessage, updateID: Int64) async {
        let parts = TelegramText.split(lines: lines)
        let messages = parts.enumerated().map { index, body in
            OutboundMessage(
                id: "chat:\(updateID):\(index + 1)", body: body, silent: true,
                links: MessageLinks(replyToMessage: index == 0 ? String(message.messageID) : nil))
        }
        await outbox.stage(messages: messages)
    }

    // MARK: buttons

    /// Carries out a press; returns the toast that answers it.
    private func handle(_ press: TelegramUpdate.ButtonPress) async -> String {
        guard let request = press.data.flatMap(ButtonRequest.init(data:)) else { return texts.buttonTooOldToast() }
        switch authorization.check(
            sender: press.sender, chat: press.message?.chatID, thread: press.message?.threadID,
            chatID: channel.currentChatID)
        {
        case .elsewhere:
            logger.notice(
                "button press from another chat ignored",
                metadata: ["sender_id": "\(press.sender.id)", "chat_id": "\(press.message?.chatID ?? 0)"])
            return texts.chatNotAllowed()
        case .refused(let reason):
            logger.notice(
                "button press refused", metadata: ["sender_id": "\(press.sender.id)", "reason": "\(reason)"])
            return texts.chatNotAllowed()
        case .allowed:
            break
        }
        guard let text = await outbox.references.key(ofButton: request.buttonID), let key = SignalKey(parsing: text)
        else { return texts.buttonTooOldToast() }
        let who = press.sender.shownName
        let at = now()
        logger.info(
            "button pressed",
            metadata: ["sender_id": "\(press.sender.id)", "key": "\(key)", "data": "\(press.data ?? "")"])
        let toast: String
        let note: String
        switch request {
        case .ack:
            guard await engine.acknowledge(key, by: who, now: at) else { return texts.buttonNotFiringToast() }
            toast = texts.buttonAcknowledgedToast()
            note = texts.acknowledgedNote(by: ChannelText.safe(who, limit: 64))
        case .silence(_, let duration):
            do {
                let silence = try await chatSilence([key], for: duration, reason: "", by: who, at: at)
                _ = try await engine.upsertSilence(silence, now: at)
            } catch {
                return texts.buttonFailedToast(error.reason)
            }
            let shown = DurationText.format(seconds: duration.seconds)
            toast = texts.buttonSilencedToast(shown)
            note = texts.silencedNote(duration: shown, by: ChannelText.safe(who, limit: 64))
        }
        status.recordSilences(await engine.state.silences)
        if let message = press.message, let tracked = await engine.state.alerts[key] {
            let fire = AlertNotification(
                id: "", action: .fire, severity: tracked.signal.severity, family: key.family.rawValue,
                entity: key.entity, title: tracked.signal.title, detail: tracked.signal.detail,
                instance: status.snapshot().instance, startedAt: tracked.state.since ?? at, at: at)
            await outbox.stage(messages: [
                OutboundMessage(
                    id: "press:\(press.id)", body: channel.renderer.annotated(fire, note: note), silent: true,
                    links: MessageLinks(editsMessage: String(message.messageID)))
            ])
        }
        return toast
    }
}
