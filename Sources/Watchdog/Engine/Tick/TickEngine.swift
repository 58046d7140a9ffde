import Collectors
import FoundationEssentials
import Notify
import OutboundHTTP

/// Runs the sources of one tick and keeps what the tick remembers.
///
/// `collect` is the I/O half: every due source concurrently, each under the collect
/// timeout. `conclude` is the pure half applied to the engine's state. They are
/// separate so that shutdown can cut collection short and still conclude the tick.
public actor TickEngine<C: Clock> where C.Duration == Duration {
    public nonisolated let sources: [any Source]
    public nonisolated let settings: DecisionSettings
    private let collectTimeout: Duration
    public nonisolated let clock: C
    private let inFlight = InFlightSources()
    private let memories = SourceMemoryCache()
    public internal(set) var state: EngineState
    /// When each source with an interval last ran, on the monotonic clock (a wall clock
    /// stepped back must not hold a source back until it catches up), and what it said.
    private var lastRun: [String: C.Instant] = [:]
    private var standing: [String: [Signal]] = [:]
    /// Per source, what it last left out for being over a limit: logged when it changes,
    /// not every tick.
    private var overLimitNotes: [String: String] = [:]
    private var wallSteps = WallClockSteps<C.Instant>()
    /// The last tick's wall time and monotonic instant: a delivery's monotonic instant
    /// becomes the engine's time through it, with no clock read of its own.
    private var lastReading: (wall: Date, monotonic: C.Instant)?
    /// Deliveries reported before the first tick of this engine (a message left in the
    /// state file, sent at once after a start or a reload): dated at that tick.
    private var undatedDeliveries: [(announced: [String], at: C.Instant)] = []

    public init(
        sources: [any Source], settings: DecisionSettings, collectTimeout: Duration, clock: C,
        state: EngineState = EngineState()
    ) {
        self.sources = sources
        self.settings = settings
        self.collectTimeout = collectTimeout
        self.clock = clock
        self.state = state
    }

    /// Runs every due source and returns one outcome per source, in source order.
    /// Never throws: failures, timeouts and cancellation are outcomes. With `only`,
    /// just those sources run, now (an event asked for them between ticks), and the
    /// others have no outcome.
    public func collect(now: Date, only: Set<String>? = nil) async -> [SourceOutcome] {
        let instant = clock.now
        var outcomes = [SourceOutcome?](repeating: nil, count: sources.count)
        await withTaskGroup(of: (Int, SourceOutcome).self) { group in
            for (index, source) in sources.enumerated() {
                if let only, !only.contains(source.name) { continue }
                if only == nil, let interval = source.interval, let last = lastRun[source.name],
                    !isDue(last: last, interval: interval, now: instant)
                {
                    outcomes[index] = SourceOutcome(
                        source: source.name, ownership: source.ownership, status: .notDue,
                        signals: standing[source.name] ?? [])
                    continue
                }
                guard inFlight.begin(source.name) else {
                    outcomes[index] = SourceOutcome(
                        source: source.name, ownership: source.ownership,
                        status: .failed("its previous run has not returned yet (stuck)"))
                    continue
                }
                let (timeout, clock, inFlight, memories) = (collectTimeout, self.clock, self.inFlight, self.memories)
                let memory = state.samples[source.name]
                group.addTask {
                    let outcome = await Self.run(
                        source, now: now, memory: memory, timeout: timeout, clock: clock, inFlight: inFlight,
                        memories: memories)
                    return (index, outcome)
                }
            }
            for await (index, outcome) in group {
                outcomes[index] = outcome
            }
        }
        for (source, outcome) in zip(sources, outcomes) where source.interval != nil && only == nil {
            switch outcome?.status {
            case .ok:
                lastRun[source.name] = instant
                standing[source.name] = outcome?.signals
            case .failed:
                lastRun[source.name] = instant
            case .notDue, .cancelled, nil:
                break
            }
        }
        return outcomes.compactMap { $0 }
    }

    /// Takes the tick's wall time against the engine's monotonic clock. When the wall
    /// clock stepped since the last tick, everything the engine keeps moves with it, so
    /// no cooldown, grace, window or timer is shortened or stretched by the step; returns
    /// the step (SPEC §12, *Time*).
    public func followWallClock(_ wall: Date) -> TimeInterval? {
        let monotonic = clock.now
        lastReading = (wall, monotonic)
        // After any shift below: these are dated on this reading's timeline already.
        defer {
            for delivery in undatedDeliveries { recordDelivered(delivery.announced, at: delivery.at) }
            undatedDeliveries = []
        }
        guard let step = wallSteps.observe(wall: wall, monotonic: monotonic) else { return nil }
        state = state.shifted(by: step, sources: sources)
        return step
    }

    /// A message announcing these notifications was delivered at `instant` (SPEC §4.3):
    /// the escalation of each problem they announce counts from its first delivery.
    public func recordDelivered(_ announced: [String], at instant: C.Instant) {
        guard settings.escalation.isOn else { return }
        guard let reading = lastReading else {
            // No more than an outbox holds.
            if undatedDeliveries.count < OutboxStateMachine.capacity { undatedDeliveries.append((announced, instant)) }
            return
        }
        let delivered = reading.wall.addingTimeInterval(reading.monotonic.duration(to: instant).seconds)
        let ids = Set(announced)
        for (key, tracked) in state.alerts {
            guard let escalation = tracked.escalation, escalation.deliveredAt == nil,
                ids.contains(escalation.announcedBy)
            else { continue }
            state.alerts[key]?.escalation?.deliveredAt = delivered
        }
    }

    /// Applies the pure evaluation to this tick's outcomes and keeps the next state.
    public func conclude(_ outcomes: [SourceOutcome], now: Date) -> TickEvaluation {
        let evaluation = evaluateTick(outcomes, state: state, now: now, settings: settings)
        state = evaluation.state
        return evaluation
    }

    /// The scheduled report due at `now`, if one is (SPEC §14), marked sent in the state:
    /// the caller stages it with the tick's messages, and both are saved in one write.
    public func takeReport(_ schedule: ReportSchedule, now: Date, lateAfter: TimeInterval) -> ReportDue? {
        guard !schedule.isEmpty || state.reports != nil else { return nil }
        let (due, memory) = schedule.due(memory: state.reports, now: now, lateAfter: lateAfter)
        state.reports = memory
        return due
    }

    /// The sources whose over-limit note changed with this tick: the new note, or nil
    /// when the source is back within every limit. Only sources that ran count.
    public func overLimitChanges(_ outcomes: [SourceOutcome], evaluation: TickEvaluation) -> [(
        source: String, note: String?
    )] {
        var changes: [(source: String, note: String?)] = []
        for outcome in outcomes where outcome.status == .ok {
            let note = evaluation.overLimit[outcome.source]
            if note != overLimitNotes[outcome.source] {
                overLimitNotes[outcome.source] = note
                changes.append((outcome.source, note))
            }
        }
        return changes
    }

    /// A second of slack, so a source with a 5-minute interval on a 30-second tick runs
    /// on the tick nearest its due time even when tick start times jitter.
    private func isDue(last: C.Instant, interval: Duration, now: C.Instant) -> Bool {
        last.duration(to: now) + .seconds(1) >= interval
    }

    private static func run(
        _ source: any Source, now: Date, memory: Data?, timeout: Duration, clock: C, inFlight: InFlightSources,
        memories: SourceMemoryCache
    ) async -> SourceOutcome {
        let name = source.name
        let started = clock.now
        let result = await runWithDeadline(
            timeout: timeout, clock: clock, onFinish: { inFlight.end(name) },
            operation: { try await source.collectSignals(now: now, memory: memory, cache: memories) })
        let duration = started.duration(to: clock.now)
        let status: SourceOutcome.Status
        var signals: [Signal] = []
        var reading: (any Encodable & Sendable)?
        var remembered: Data?
        var unknown: KeyOwnership?
        var overLimit: String?
        var places: [String: ContainerPlace]?
        switch result {
        case .finished(.success(let collected)):
            status = .ok
            signals = collected.signals
            reading = collected.reading
            remembered = collected.memory
            unknown = collected.unknown
            overLimit = collected.overLimit
            places = collected.places
        case .finished(.failure(let error)):
            status = error is CancellationError ? .cancelled : .failed(Self.words(for: error))
        case .timedOut:
            status = .failed("timed out after \(DurationText.format(seconds: timeout.seconds))")
        case .cancelled:
            status = .cancelled
        }
        return SourceOutcome(
            source: name, ownership: source.ownership, status: status, signals: signals,
            reading: reading, memory: remembered, unknown: unknown, overLimit: overLimit, places: places,
            duration: duration)
    }
}

extension TickEngine {
    /// A source's failure as an operator reads it (in `collector_failed`, in logs): a
    /// `CollectorError`'s own words; anything else classified, never a Swift type name.
    static func words(for error: any Error) -> String {
        if let error = error as? CollectorError { return error.description }
        return HTTPExchange.words(for: error)
    }
}
