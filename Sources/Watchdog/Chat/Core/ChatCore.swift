import FoundationEssentials
import Notify

/// One thing that came in from a chat (SPEC §13), as every chat has it.
public struct ChatInbound: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        /// A line someone wrote; `message` is its id, for the answer to reply to.
        case message(text: String, message: String)
        /// A press of a fire message's button: the request its data makes (nil: data
        /// that is none of ours), the key its id still stands for, and the fire message.
        case button(ButtonRequest?, key: SignalKey?, message: String?)
        /// A reaction (`emoji`) on `message`; `key` is the key whose fire that message is.
        case reaction(emoji: String, key: SignalKey?, message: String)
    }

    public var event: Event
    public var sender: ChatSender?
    /// Where it was written; nil when the platform did not say.
    public var place: ChatPlace?

    public init(_ event: Event, sender: ChatSender?, place: ChatPlace?) {
        self.event = event
        self.sender = sender
        self.place = place
    }
}

/// What the chat core needs to know besides the event: read by the adapter just before,
/// so the core reads no clock and no state of its own.
public struct ChatSnapshot: Sendable {
    public var now: Date
    /// What fires, the run-time and the configured silences, the instance: as of now,
    /// not of the last tick.
    public var status: WatchdogStatus.Snapshot
    /// The configured place and who may act there.
    public var access: ChatAccess
    /// The id a silence made now gets: one the book does not have yet.
    public var newSilenceID: String
    /// The incident log as it stands (SPEC §14), oldest start first.
    public var incidents: [Incident]

    public init(
        now: Date, status: WatchdogStatus.Snapshot, access: ChatAccess, newSilenceID: String,
        incidents: [Incident] = []
    ) {
        self.incidents = incidents
        self.now = now
        self.status = status
        self.access = access
        self.newSilenceID = newSilenceID
    }
}

/// What the adapter carries out, in order. Changes (`silence`, `unsilence`, `ack`) go
/// through the silence keeper; when one fails, what follows it is replaced by what
/// `ChatCore.failed` says. Texts are Telegram's HTML subset (`<b>`, `<code>`, `&lt;`),
/// which every chat's adapter renders its way.
public enum ChatEffect: Sendable, Equatable {
    case silence(Silence)
    case unsilence(id: String)
    case ack(SignalKey, by: String)
    /// Lines answering the event, in the configured place, without a sound.
    case answer([String])
    /// A short answer only the presser sees (Telegram's `answerCallbackQuery`).
    case toast(String)
    /// The fire message `message` edited to read as `fire` with `note` under it.
    case edit(message: String, fire: AlertNotification, note: String)
    /// Nothing was done for this sender; logged with their id.
    case refuse(reason: String)
}

/// The conversation of SPEC §13 for every chat: one event and a snapshot in, effects
/// out. No clock, no I/O, no platform's types: the Telegram and Matrix adapters read
/// their updates into `ChatInbound` and carry the effects out.
public struct ChatCore: Sendable {
    public let texts: Texts
    /// `/` on Telegram, `!` on Matrix.
    public let prefix: Character
    /// Telegram's bot username, for `/cmd@bot`.
    public let botName: String?

    /// Why nothing is done for an event from another chat (the log says so).
    public static let elsewhere = "another chat"

    /// The reactions that acknowledge a fire: 👍 with or without its presentation
    /// selector, in any skin tone.
    static func isThumbsUp(_ emoji: String) -> Bool {
        let scalars = emoji.unicodeScalars.filter { $0.value != 0xFE0F }
        guard let first = scalars.first, first.value == 0x1F44D else { return false }
        return scalars.dropFirst().allSatisfy { (0x1F3FB...0x1F3FF).contains($0.value) } && scalars.count <= 2
    }

    public init(language: Language, prefix: Character, botName: String?) {
        self.texts = Texts(language)
        self.prefix = prefix
        self.botName = botName
    }

    public func handle(_ inbound: ChatInbound, _ snapshot: ChatSnapshot) -> [ChatEffect] {
        switch inbound.event {
        case .message(let text, _):
            return command(text, inbound, snapshot)
        case .button(let request, let key, let message):
            return button(request, key: key, message: message, inbound, snapshot)
        case .reaction(let emoji, let key, let message):
            return reaction(emoji, key: key, message: message, inbound, snapshot)
        }
    }

    /// What replaces the effects after `effect` when the keeper could not carry it out
    /// (the engine moved on since the snapshot: the key resolved, the book filled up).
    public func failed(_ effect: ChatEffect, reason: String, _ inbound: ChatInbound) -> [ChatEffect] {
        let shownReason = ChannelText.safe(reason, limit: 300)
        switch (inbound.event, effect) {
        case (.button, .ack): return [.toast(texts.buttonNotFiringToast())]
        case (.button, _): return [.toast(texts.buttonFailedToast(reason))]
        case (.reaction, _): return [.refuse(reason: reason)]
        case (.message, .ack(let key, _)):
            return [.answer([texts.chatNotFiring(key: ChannelText.safe(key.description, limit: 200))])]
        case (.message, .unsilence(let id)):
            return [.answer([texts.chatNoSuchSilence(id: ChannelText.safe(id, limit: 64), prefix: prefix)])]
        case (.message, _): return [.answer([texts.chatSilenceRefused(shownReason)])]
        }
    }

    // MARK: commands

    private func command(_ text: String, _ inbound: ChatInbound, _ snapshot: ChatSnapshot) -> [ChatEffect] {
        let command = ChatCommand.parse(text, botName: botName, prefix: prefix)
        guard command != .ignored else { return [] }
        switch snapshot.access.verdict(sender: inbound.sender, place: inbound.place) {
        case .elsewhere: return [.refuse(reason: Self.elsewhere)]
        case .refused(let reason): return [.refuse(reason: reason), .answer([texts.chatNotAllowed()])]
        case .allowed: break
        }
        let who = inbound.sender?.shownName ?? "chat"
        switch command {
        case .status:
            return [.answer(statusLines(snapshot))]
        case .silences:
            return [.answer(silencesLines(snapshot))]
        case .history(let period):
            return [.answer(historyLines(snapshot, period: period))]
        case .help, .ignored:
            return [.answer(texts.chatHelp(prefix: prefix))]
        case .invalid(let reason):
            return [.answer([texts.chatInvalid(ChannelText.safe(reason, limit: 300))])]
        case .silence(let keys, let duration, let reason):
            return silence(keys, for: duration, reason: reason, by: who, snapshot)
        case .unsilence(let id):
            let shownID = ChannelText.safe(id, limit: 64)
            if snapshot.status.configured.silences(at: snapshot.now).contains(where: { $0.id == id })
                || SilenceAPI.isConfigured(id)
            {
                return [.answer([texts.chatConfiguredSilence(id: shownID)])]
            }
            guard snapshot.status.book.silences.contains(where: { $0.id == id }) else {
                return [.answer([texts.chatNoSuchSilence(id: shownID, prefix: prefix)])]
            }
            return [.unsilence(id: id), .answer([texts.chatUnsilenced(id: shownID)])]
        case .ack(let key):
            let shownKey = ChannelText.safe(key.description, limit: 200)
            guard snapshot.status.alerts[key]?.state.firing == true else {
                return [.answer([texts.chatNotFiring(key: shownKey)])]
            }
            return [
                .ack(key, by: who),
                .answer([texts.chatAcknowledged(key: shownKey, by: ChannelText.safe(who, limit: 64))]),
            ]
        }
    }

    func statusLines(_ snapshot: ChatSnapshot) -> [String] {
        let instance = ChannelText.safe(snapshot.status.instance, limit: 100)
        let firing = FiringAlert.list(from: snapshot.status, now: snapshot.now)
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

    /// At most this many incidents listed one by one; the summary counts them all.
    static let historyLines = 15

    /// `/history`: the incidents of the period, newest first (key, start, how long, who
    /// acknowledged), then the summary the report and the API give.
    func historyLines(_ snapshot: ChatSnapshot, period: Duration) -> [String] {
        let instance = ChannelText.safe(snapshot.status.instance, limit: 100)
        let from = snapshot.now.addingTimeInterval(-period.seconds)
        let shownPeriod = DurationText.format(seconds: period.seconds)
        let incidents = HistorySummary.within(snapshot.incidents, from: from, to: snapshot.now)
        guard !incidents.isEmpty else { return [texts.chatHistoryNone(period: shownPeriod, instance: instance)] }
        var lines = [texts.chatHistoryHeader(count: incidents.count, period: shownPeriod, instance: instance)]
        for incident in incidents.reversed().prefix(Self.historyLines) {
            let duration = DurationText.format(seconds: incident.duration(at: snapshot.now))
            var parts = [
                "<code>\(ChannelText.safe(incident.key, limit: 200))</code>",
                incident.severity.rawValue,
                ConsoleRenderer.timestamp(incident.startedAt),
                incident.isOpen ? texts.chatHistoryOpen(duration) : texts.chatHistoryLasted(duration),
            ]
            if let by = incident.acknowledgedBy, let after = incident.timeToAcknowledge {
                parts.append(
                    texts.chatHistoryAcknowledged(
                        by: ChannelText.safe(by, limit: 64), after: DurationText.format(seconds: after)))
            } else {
                parts.append(texts.chatHistoryNotAcknowledged())
            }
            lines.append(parts.joined(separator: " · "))
        }
        if incidents.count > Self.historyLines {
            lines.append(texts.chatHistoryMore(incidents.count - Self.historyLines))
        }
        let summary = HistorySummary.of(incidents, from: from, to: snapshot.now)
        return lines + summary.lines(texts) { "<code>\(ChannelText.safe($0, limit: 200))</code>" }.dropFirst()
    }

    func silencesLines(_ snapshot: ChatSnapshot) -> [String] {
        let inForce = snapshot.status.silencesInForce(at: snapshot.now)
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

    /// A silence from the chat: from now for `duration`, by the sender, tried on a copy
    /// of the book first so that what cannot be kept is answered, not half done.
    func chatSilence(
        _ keys: [SignalKey], for duration: Duration, reason: String, by who: String, _ snapshot: ChatSnapshot
    ) throws(SilenceError) -> Silence {
        let silence = try Silence(
            id: snapshot.newSilenceID, matchers: [LabelMatcher.anyOf(keys)], startsAt: snapshot.now,
            endsAt: snapshot.now.addingTimeInterval(duration.seconds), createdBy: who,
            comment: reason.isEmpty ? "from the chat" : reason, origin: .chat, updatedAt: snapshot.now)
        var book = snapshot.status.book
        try book.upsert(silence, now: snapshot.now)
        return silence
    }

    private func silence(
        _ keys: [SignalKey], for duration: Duration, reason: String, by who: String, _ snapshot: ChatSnapshot
    ) -> [ChatEffect] {
        let silence: Silence
        do {
            silence = try chatSilence(keys, for: duration, reason: reason, by: who, snapshot)
        } catch {
            return [.answer([texts.chatSilenceRefused(ChannelText.safe(error.reason, limit: 300))])]
        }
        let matching = SilenceSet([silence])
        let instance = snapshot.status.instance
        let keysNow = snapshot.status.alerts.filter { $0.value.state.firing || $0.value.state.isFlapping }
            .filter { key, alert in
                !matching.silencing(SilenceSet.labels(of: key, severity: alert.signal.severity, instance: instance))
                    .isEmpty
            }
            .keys.sorted().map { "<code>\(ChannelText.safe($0.description, limit: 200))</code>" }
        return [
            .silence(silence),
            .answer([
                texts.chatSilenceMade(
                    id: silence.id, until: ConsoleRenderer.timestamp(silence.endsAt ?? snapshot.now),
                    by: ChannelText.safe(who, limit: 64)),
                keysNow.isEmpty ? texts.chatMatchesNothing() : texts.chatMatchesNow(keysNow.joined(separator: ", ")),
            ]),
        ]
    }

    // MARK: buttons and reactions

    private func button(
        _ request: ButtonRequest?, key: SignalKey?, message: String?, _ inbound: ChatInbound, _ snapshot: ChatSnapshot
    ) -> [ChatEffect] {
        guard let request else { return [.toast(texts.buttonTooOldToast())] }
        switch snapshot.access.verdict(sender: inbound.sender, place: inbound.place) {
        case .elsewhere: return [.refuse(reason: Self.elsewhere), .toast(texts.chatNotAllowed())]
        case .refused(let reason): return [.refuse(reason: reason), .toast(texts.chatNotAllowed())]
        case .allowed: break
        }
        guard let key else { return [.toast(texts.buttonTooOldToast())] }
        let who = inbound.sender?.shownName ?? "chat"
        let shownWho = ChannelText.safe(who, limit: 64)
        var effects: [ChatEffect]
        let note: String
        switch request {
        case .ack:
            guard snapshot.status.alerts[key]?.state.firing == true else {
                return [.toast(texts.buttonNotFiringToast())]
            }
            effects = [.ack(key, by: who), .toast(texts.buttonAcknowledgedToast())]
            note = texts.acknowledgedNote(by: shownWho)
        case .silence(_, let duration):
            let silence: Silence
            do {
                silence = try chatSilence([key], for: duration, reason: "", by: who, snapshot)
            } catch {
                return [.toast(texts.buttonFailedToast(error.reason))]
            }
            let shown = DurationText.format(seconds: duration.seconds)
            effects = [.silence(silence), .toast(texts.buttonSilencedToast(shown))]
            note = texts.silencedNote(duration: shown, by: shownWho)
        }
        if let message, let edit = edit(message, key: key, note: note, snapshot) { effects.append(edit) }
        return effects
    }

    /// A 👍 on a fire acknowledges it. Any other reaction, or one on a message that
    /// announced no fire still burning, is talk: nothing is done and nothing said.
    private func reaction(
        _ emoji: String, key: SignalKey?, message: String, _ inbound: ChatInbound, _ snapshot: ChatSnapshot
    ) -> [ChatEffect] {
        guard Self.isThumbsUp(emoji), let key else { return [] }
        switch snapshot.access.verdict(sender: inbound.sender, place: inbound.place) {
        case .elsewhere: return [.refuse(reason: Self.elsewhere)]
        case .refused(let reason): return [.refuse(reason: reason), .answer([texts.chatNotAllowed()])]
        case .allowed: break
        }
        guard snapshot.status.alerts[key]?.state.firing == true else { return [] }
        let who = inbound.sender?.shownName ?? "chat"
        var effects: [ChatEffect] = [.ack(key, by: who)]
        if let edit = edit(
            message, key: key, note: texts.acknowledgedNote(by: ChannelText.safe(who, limit: 64)), snapshot)
        {
            effects.append(edit)
        }
        return effects
    }

    /// The fire message of `key` as it reads now, with who did what under it.
    private func edit(_ message: String, key: SignalKey, note: String, _ snapshot: ChatSnapshot) -> ChatEffect? {
        guard let tracked = snapshot.status.alerts[key] else { return nil }
        let fire = AlertNotification(
            id: "", action: .fire, severity: tracked.signal.severity, family: key.family.rawValue,
            entity: key.entity, title: tracked.signal.title, detail: tracked.signal.detail,
            instance: snapshot.status.instance, startedAt: tracked.state.since ?? snapshot.now, at: snapshot.now)
        return .edit(message: message, fire: fire, note: note)
    }
}

extension ChatEffect {
    /// Something the adapter says: an answer, a toast, an edit.
    public var isSaid: Bool {
        switch self {
        case .answer, .toast, .edit: true
        default: false
        }
    }

    /// A change to silences or acknowledgements.
    public var isChange: Bool {
        switch self {
        case .silence, .unsilence, .ack: true
        default: false
        }
    }

    public var toast: String? {
        if case .toast(let text) = self { return text }
        return nil
    }
}

extension ChatSnapshot {
    /// What an adapter hands the core: the engine's alerts and silences as of now (not
    /// of the last tick), with `access` and a silence id the book does not have.
    public static func current<C: Clock>(
        engine: TickEngine<C>, status: WatchdogStatus, access: ChatAccess, now: Date
    ) async -> ChatSnapshot where C.Duration == Duration {
        var snapshot = status.snapshot()
        let state = await engine.state
        snapshot.alerts = state.alerts
        snapshot.book = state.silences
        return ChatSnapshot(
            now: now, status: snapshot, access: access, newSilenceID: freshSilenceID(in: state.silences),
            incidents: await status.history?.all() ?? [])
    }

    /// A silence id for the chat: short, so it can be typed back, and never one the
    /// book has (that would replace it).
    public static func freshSilenceID(in book: SilenceBook) -> String {
        let taken = Set(book.silences.map(\.id))
        var id: String
        repeat {
            id = "chat-" + UUID().uuidString.lowercased().prefix(8)
        } while taken.contains(id)
        return id
    }
}
