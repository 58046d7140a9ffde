/// The `AlertPolicy` of every family, built once from the configuration.
public struct PolicyTable: Sendable, Equatable {
    public var standard: AlertPolicy
    public var overrides: [SignalFamily: AlertPolicy]

    public init(standard: AlertPolicy, overrides: [SignalFamily: AlertPolicy] = [:]) {
        self.standard = standard
        self.overrides = overrides
    }

    public func policy(for family: SignalFamily) -> AlertPolicy {
        if let policy = overrides[family] { return policy }
        if family.isEdge { return AlertPolicy(isEdge: true) }
        return standard
    }

    /// The table SPEC §3 describes: every family repeats after the cooldown except
    /// `heartbeat_missed` (fires once) and `proc_blocking` (its own cooldown);
    /// `job_failed` is an edge. Debouncing that counts failed fetches or probes lives
    /// in the sources, so every family fires on its first active observation.
    /// `flap` (`WATCHDOG_FLAP`) applies to every family that keeps state.
    public static func standard(cooldown: Duration?, processCooldown: Duration?, flap: FlapPolicy? = nil)
        -> PolicyTable
    {
        PolicyTable(
            standard: AlertPolicy(repeatEvery: cooldown, flap: flap),
            overrides: [
                .heartbeatMissed: AlertPolicy(repeatEvery: nil, flap: flap),
                .procBlocking: AlertPolicy(repeatEvery: processCooldown, flap: flap),
                .jobFailed: AlertPolicy(isEdge: true),
            ])
    }
}
