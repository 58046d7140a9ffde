import FoundationEssentials

/// Keeps the silences and acknowledgements made at run time (SPEC §4.1): the API and
/// the chat change them through this, and every change is in the state file before it
/// is answered.
public protocol SilenceKeeper: Sendable {
    func book() async -> SilenceBook
    /// Adds a silence, or replaces the one with its id; the book after the change.
    func upsert(_ silence: Silence, now: Date) async throws(SilenceError) -> SilenceBook
    /// Ends a silence now; nil when there is no such silence.
    func expire(id: String, now: Date) async -> SilenceBook?
    /// Acknowledges a firing key, saying who and from where (`via`: the chat or Pushover
    /// channel's name, `api`, `link`); false when it is not firing.
    func acknowledge(_ key: SignalKey, by: String, via: String, now: Date) async -> Bool
}

extension TickEngine {
    /// The run-time silences live in the engine's state, next to the alerts they hold, so
    /// a tick and a change never see each other half done.
    public func upsertSilence(_ silence: Silence, now: Date) throws(SilenceError) -> SilenceBook {
        try state.silences.upsert(silence, now: now)
        return state.silences
    }

    public func expireSilence(id: String, now: Date) -> SilenceBook? {
        guard state.silences.silences.contains(where: { $0.id == id }) else { return nil }
        _ = state.silences.expire(id: id, now: now)
        return state.silences
    }

    public func acknowledge(_ key: SignalKey, by: String, via: String, now: Date) -> Bool {
        guard state.alerts[key]?.state.firing == true else { return false }
        state.silences.acknowledgements[key] = Acknowledgement(by: by, at: now, via: via)
        return true
    }
}

/// The keeper a running watchdog uses: changes go to the engine, then to the state file,
/// then to what the endpoint shows.
public struct EngineSilenceKeeper<C: Clock>: SilenceKeeper where C.Duration == Duration {
    let engine: TickEngine<C>
    let store: StateStore
    let status: WatchdogStatus
    /// False for the chat, which writes the state file itself once the change, the
    /// update's offset and the answer are all in it (SPEC §13: one write).
    let savesEachChange: Bool

    public init(engine: TickEngine<C>, store: StateStore, status: WatchdogStatus, savesEachChange: Bool = true) {
        self.engine = engine
        self.store = store
        self.status = status
        self.savesEachChange = savesEachChange
    }

    public func book() async -> SilenceBook {
        await engine.state.silences
    }

    public func upsert(_ silence: Silence, now: Date) async throws(SilenceError) -> SilenceBook {
        let book = try await engine.upsertSilence(silence, now: now)
        await saved(book)
        return book
    }

    public func expire(id: String, now: Date) async -> SilenceBook? {
        guard let book = await engine.expireSilence(id: id, now: now) else { return nil }
        await saved(book)
        return book
    }

    public func acknowledge(_ key: SignalKey, by: String, via: String, now: Date) async -> Bool {
        guard await engine.acknowledge(key, by: by, via: via, now: now) else { return false }
        await saved(await engine.state.silences)
        return true
    }

    private func saved(_ book: SilenceBook) async {
        if savesEachChange { await store.save() }
        status.recordSilences(book)
    }
}
