import FoundationEssentials

/// One guarded unit of the tick: it reads the world and turns the reading into signals.
/// This is the one role the tick knows.
///
/// The readers it uses (`MemoryCollector`, `EC2Collector`, ... in the `Collectors`
/// target) are plain types, not a role: they do the I/O and parse what they read, know
/// nothing of thresholds or alerts, and are fuzzed and tested on their own. A source
/// owns its reader, its settings and its texts, and is what the tick runs.
///
/// The tick runs every source concurrently under the collect timeout; a throw or a
/// timeout becomes a failed outcome for this source only. A feature's sources are
/// built by its `SourceFeature`, listed in `FeatureCatalog` (see CONTRIBUTING.md).
public protocol Source: Sendable {
    associatedtype Reading: Sendable & Encodable
    /// What the source remembers between ticks (the orchestrator's last `failed` count,
    /// when an agent's CPU ticks last moved). Kept in the state file, so it survives
    /// restarts. `NoMemory` for sources that need none.
    associatedtype Memory: Sendable & Codable

    /// Stable name: logs, `collector_failed:<name>`, `once --json`, the state file.
    var name: String { get }
    /// Run at most this often; nil runs every tick. Between runs its last signals stand.
    var interval: Duration? { get }
    /// The keys whose recovery this source can vouch for.
    var ownership: KeyOwnership { get }

    /// The I/O: read the world. Throws when it cannot. `now` is the tick's time, the
    /// only wall time a source may use (ages, signing, query windows).
    func collect(now: Date) async throws -> Reading
    /// Pure: what the reading means given what was remembered (nil on the first run),
    /// and what to remember now. `now` is the tick's time.
    func evaluate(_ reading: Reading, memory: Memory?, now: Date) -> SourceEvaluation<Memory>
}

/// What a source's evaluation produced.
public struct SourceEvaluation<Memory: Sendable>: Sendable {
    public var signals: [Signal]
    public var memory: Memory?
    /// Owned keys that are unknown this tick although the source ran: the Docker daemon
    /// is unreachable, so no container can be judged. They are neither resolved nor
    /// fired.
    public var unknown: KeyOwnership?
    /// What the reading held beyond a limit and was left out (`SourceLimits`), in words
    /// for the log; nil when nothing was.
    public var overLimit: String?
    /// Where the containers with an active signal stand (SPEC §4.2): only the Docker
    /// source says.
    public var places: [String: ContainerPlace]?

    public init(
        signals: [Signal], memory: Memory?, unknown: KeyOwnership? = nil, overLimit: String? = nil,
        places: [String: ContainerPlace]? = nil
    ) {
        self.signals = signals
        self.memory = memory
        self.unknown = unknown
        self.overLimit = overLimit
        self.places = places
    }
}

/// The memory of a source that remembers nothing.
public struct NoMemory: Sendable, Codable, Equatable {}

/// A source whose signals depend on the current reading alone.
public protocol StatelessSource: Source where Memory == NoMemory {
    /// Pure: what the reading means.
    func signals(from reading: Reading, now: Date) -> [Signal]
}

extension StatelessSource {
    public func evaluate(_ reading: Reading, memory: NoMemory?, now: Date) -> SourceEvaluation<NoMemory> {
        SourceEvaluation(signals: signals(from: reading, now: now), memory: nil)
    }
}

extension Source {
    public var interval: Duration? { nil }

    /// Collects and evaluates in one call, erasing the reading's and the memory's types
    /// for the engine: memory travels as JSON, the form the state file keeps it in. A
    /// memory that no longer decodes (the source's format changed) starts fresh. With a
    /// cache, memory that is what this source kept last is not decoded again.
    func collectSignals(now: Date, memory: Data?, cache: SourceMemoryCache? = nil) async throws -> CollectedSignals {
        let reading = try await collect(now: now)
        let remembered = memory.flatMap { data in
            cache?.memory(Memory.self, source: name, data: data) ?? (try? JSONDecoder().decode(Memory.self, from: data))
        }
        let evaluation = evaluate(reading, memory: remembered, now: now)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var kept = evaluation.memory.flatMap { try? encoder.encode($0) }
        var overLimit = evaluation.overLimit
        if let size = kept?.count, size > SourceLimits.memoryBytes {
            // Never reached with the other limits in force; if it were, the state file
            // must not grow with it: the source starts afresh at its next run.
            kept = nil
            overLimit = [overLimit, "its memory of \(size) bytes is over \(SourceLimits.memoryBytes) and was dropped"]
                .compactMap { $0 }.joined(separator: "; ")
        }
        cache?.keep(evaluation.memory, as: kept, source: name)
        return CollectedSignals(
            reading: reading, signals: evaluation.signals, memory: kept, unknown: evaluation.unknown,
            overLimit: overLimit, places: evaluation.places)
    }
}

extension Source {
    /// A memory as the engine keeps it, with every date in it moved by `offset` and, with
    /// `notAfter`, made no later than it (SPEC §12: a step of the wall clock moves what
    /// the run kept; a restart counts no time as passed backwards). nil when it does not
    /// decode as this source's memory (it then starts afresh anyway).
    func shiftedMemory(_ data: Data, by offset: TimeInterval, notAfter limit: Date? = nil) -> Data? {
        guard let memory = InstantShift.shifted(Memory.self, from: data, by: offset, notAfter: limit) else {
            return nil
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try? encoder.encode(memory)
    }
}

/// A source's tick, type-erased.
struct CollectedSignals: Sendable {
    let reading: any Encodable & Sendable
    let signals: [Signal]
    let memory: Data?
    let unknown: KeyOwnership?
    let overLimit: String?
    let places: [String: ContainerPlace]?
}
