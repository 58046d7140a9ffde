import FoundationEssentials

/// Everything the tick remembers between ticks that decides what to send.
///
/// A value type so the pure evaluation can take one and return the next; the state file
/// stores exactly this.
public struct EngineState: Sendable, Codable, Equatable {
    /// Keys that are firing or counting towards firing. Idle keys are dropped.
    public var alerts: [SignalKey: TrackedAlert]
    /// Failure streaks per source name.
    public var collectors: [String: CollectorHealth]
    /// Each source's memory (`Source.Memory`, as JSON) after its last successful run.
    public var samples: [String: Data]
    /// Silences and acknowledgements made from the chat or the API (SPEC §4.1).
    public var silences: SilenceBook
    /// The key Ack links are signed with (SPEC §4.3): made once, kept so that links sent
    /// before a restart still work after it. Never shown anywhere.
    public var ackSecret: AckSecret?
    /// Where the containers of firing keys stand (SPEC §4.2), from the last Docker
    /// reading that had them. Not kept in the state file: the first reading after a
    /// start brings them again.
    public var places: [String: ContainerPlace] = [:]
    /// Keys whose problem ended within the last interval, when and how severe: as causes
    /// they still hold what starts firing in their wake (SPEC §4.2). Not kept in the state
    /// file either.
    public var recentlyResolved: [SignalKey: ResolvedCause] = [:]
    /// The open incidents (SPEC §14), one per firing key: kept in the state file, so a
    /// problem that outlives a restart stays one incident.
    public var incidents: [SignalKey: Incident] = [:]
    /// Where the scheduled reports stand (SPEC §14); nil until reports are configured.
    public var reports: ReportMemory?

    enum CodingKeys: String, CodingKey {
        case alerts, collectors, samples, silences, ackSecret, incidents, reports
    }

    public init(
        alerts: [SignalKey: TrackedAlert] = [:], collectors: [String: CollectorHealth] = [:],
        samples: [String: Data] = [:], silences: SilenceBook = SilenceBook(), ackSecret: AckSecret? = nil
    ) {
        self.alerts = alerts
        self.collectors = collectors
        self.samples = samples
        self.silences = silences
        self.ackSecret = ackSecret
    }

    /// State files from before silences have none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        alerts = try container.decode([SignalKey: TrackedAlert].self, forKey: .alerts)
        collectors = try container.decode([String: CollectorHealth].self, forKey: .collectors)
        samples = try container.decode([String: Data].self, forKey: .samples)
        silences = try container.decodeIfPresent(SilenceBook.self, forKey: .silences) ?? SilenceBook()
        ackSecret = try container.decodeIfPresent(AckSecret.self, forKey: .ackSecret)
        incidents = try container.decodeIfPresent([SignalKey: Incident].self, forKey: .incidents) ?? [:]
        reports = try container.decodeIfPresent(ReportMemory.self, forKey: .reports)
    }
}

/// One key's decision state plus the last signal seen for it, which words the
/// resolve message when the key vanishes without a final reading.
public struct TrackedAlert: Sendable, Codable, Equatable {
    public var state: AlertState
    public var signal: Signal
    /// This problem's fire (or flapping notice) went out: not held by a silence. Decides
    /// whether its resolve is sent, and whether a silence's end announces it (SPEC §4.1).
    public var announced: Bool
    /// The silence that held it when last asked; nil when none did (or nobody asked).
    public var heldBy: SilenceMark?
    /// The channels its announced fire went to (SPEC §4.3 routes), which its later
    /// messages follow; nil: every channel.
    public var channels: [String]?
    /// Where its escalation stands, while its problem is announced (SPEC §4.3).
    public var escalation: EscalationState?
    /// Its acknowledgement was told to the channels that heard of it (SPEC §4.3).
    public var acknowledgementTold: Bool
    /// The causes that hold it, while it fires unannounced behind them (SPEC §4.2).
    public var inhibition: Inhibition?
    /// As a cause: the effects its messages name (SPEC §4.2).
    public var effects: CauseEffects?

    public init(
        state: AlertState, signal: Signal, announced: Bool = false, heldBy: SilenceMark? = nil,
        channels: [String]? = nil, escalation: EscalationState? = nil, acknowledgementTold: Bool = false
    ) {
        self.acknowledgementTold = acknowledgementTold
        self.state = state
        self.signal = signal
        self.announced = announced
        self.heldBy = heldBy
        self.channels = channels
        self.escalation = escalation
    }

    /// State files from before silences announced every firing key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decode(AlertState.self, forKey: .state)
        signal = try container.decode(Signal.self, forKey: .signal)
        announced = try container.decodeIfPresent(Bool.self, forKey: .announced) ?? state.firing
        heldBy = try container.decodeIfPresent(SilenceMark.self, forKey: .heldBy)
        channels = try container.decodeIfPresent([String].self, forKey: .channels)
        escalation = try container.decodeIfPresent(EscalationState.self, forKey: .escalation)
        // An acknowledgement from before this was kept was never meant to be told.
        acknowledgementTold = try container.decodeIfPresent(Bool.self, forKey: .acknowledgementTold) ?? true
        inhibition = try container.decodeIfPresent(Inhibition.self, forKey: .inhibition)
        effects = try container.decodeIfPresent(CauseEffects.self, forKey: .effects)
    }
}

/// A source's failure streak, for `collector_failed`.
public struct CollectorHealth: Sendable, Codable, Equatable {
    public var consecutiveFailures: Int
    public var lastError: String?

    public init(consecutiveFailures: Int = 0, lastError: String? = nil) {
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
    }
}

extension EngineState {
    /// The state without what no configured source speaks for any more: alerts of keys
    /// no source owns (a container no longer watched, a source switched off), and the
    /// failure streaks and memories of sources that are gone. Such keys could never
    /// resolve; they are dropped at start-up instead of lingering as firing forever.
    public func pruned(to sources: [any Source]) -> (state: EngineState, dropped: [SignalKey]) {
        let names = Set(sources.map(\.name))
        var next = self
        var dropped: [SignalKey] = []
        for key in alerts.keys.sorted() {
            let owned =
                key.family == .collectorFailed
                ? key.entity.map(names.contains) ?? false
                : sources.contains { $0.ownership.owns(key) }
            if !owned {
                next.alerts[key] = nil
                dropped.append(key)
            }
        }
        next.collectors = collectors.filter { names.contains($0.key) }
        next.samples = samples.filter { names.contains($0.key) }
        return (next, dropped)
    }
}

extension EngineState {
    /// The state with every instant the run kept moved by `offset`: the wall clock stepped
    /// (SPEC §12, *Time*), and what was measured from it must still measure the same
    /// monotonic time. Alerts (since, last notified, flapping), the silences and
    /// acknowledgements made at run time (a silence "for 1h" still lasts an hour), and
    /// every source's memory (restart samples, hung-agent and rule timers, heartbeats).
    public func shifted(by offset: TimeInterval, sources: [any Source]) -> EngineState {
        var next = self
        if !alerts.isEmpty { next.alerts = InstantShift.shifted(alerts, by: offset) ?? alerts }
        if !silences.isEmpty { next.silences = InstantShift.shifted(silences, by: offset) ?? silences }
        for source in sources {
            if let memory = samples[source.name], let moved = source.shiftedMemory(memory, by: offset) {
                next.samples[source.name] = moved
            }
        }
        return next
    }

    /// The saved state as a new run starts from it at `now`: an instant later than now
    /// (the clock went back while the watchdog was down) is now, so the time already
    /// passed is never negative (SPEC §12). Silences keep their times: they are the ends
    /// people set.
    public func rebased(at now: Date, sources: [any Source]) -> EngineState {
        var next = self
        // Nothing to read through (the common start without a state file): no round trip.
        if !alerts.isEmpty { next.alerts = InstantShift.shifted(alerts, by: 0, notAfter: now) ?? alerts }
        for source in sources {
            if let memory = samples[source.name], let held = source.shiftedMemory(memory, by: 0, notAfter: now) {
                next.samples[source.name] = held
            }
        }
        return next
    }
}
