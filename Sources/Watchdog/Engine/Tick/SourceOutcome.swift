import FoundationEssentials

/// What one source produced in one tick: the input of the pure part of the tick.
public struct SourceOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        /// Collected and evaluated; `signals` is everything it reports.
        case ok
        /// Threw or timed out; its keys are unknown this tick.
        case failed(String)
        /// Not due (it runs less often than the tick); `signals` are its last ones, which
        /// stand without being counted again.
        case notDue
        /// Stopped by shutdown: unknown, and not counted as a failure.
        case cancelled
    }

    public let source: String
    public let ownership: KeyOwnership
    public let status: Status
    public let signals: [Signal]
    public let reading: (any Encodable & Sendable)?
    /// What the source remembers after this run (JSON), when it succeeded.
    public let memory: Data?
    /// Owned keys the source could not judge although it ran (see `SourceEvaluation`).
    public let unknown: KeyOwnership?
    /// What was left out for being over a limit (`SourceLimits`); nil when nothing was.
    public let overLimit: String?
    /// Where the containers with an active signal stand (SPEC §4.2); nil from any
    /// source but Docker's.
    public let places: [String: ContainerPlace]?
    public let duration: Duration

    public init(
        source: String, ownership: KeyOwnership, status: Status, signals: [Signal] = [],
        reading: (any Encodable & Sendable)? = nil, memory: Data? = nil, unknown: KeyOwnership? = nil,
        overLimit: String? = nil, places: [String: ContainerPlace]? = nil, duration: Duration = .zero
    ) {
        self.places = places
        self.source = source
        self.ownership = ownership
        self.status = status
        self.signals = signals
        self.reading = reading
        self.memory = memory
        self.unknown = unknown
        self.overLimit = overLimit
        self.duration = duration
    }
}
