import FoundationEssentials

/// The silences that come from the configuration: standing ones from `WATCHDOG_MUTE`
/// and the recurring windows of `WATCHDOG_MAINTENANCE`. Not stored: they are what the
/// environment says, at every start.
public struct ConfiguredSilences: Sendable {
    public let standing: [Silence]
    public let maintenance: [MaintenanceWindow]

    public init(standing: [Silence] = [], maintenance: [MaintenanceWindow] = []) {
        self.standing = standing
        self.maintenance = maintenance
    }

    /// `WATCHDOG_MUTE`'s keys as standing silences, each made as any silence is.
    public init(mute: [SignalKey], maintenance: [MaintenanceWindow] = []) throws(SilenceError) {
        var standing: [Silence] = []
        for (index, key) in mute.enumerated() { standing.append(try Self.standing(key, number: index + 1)) }
        self.init(standing: standing, maintenance: maintenance)
    }

    /// Entry `number` (1-based) of `WATCHDOG_MUTE` as a standing silence.
    static func standing(_ key: SignalKey, number: Int) throws(SilenceError) -> Silence {
        let origin = Date(timeIntervalSince1970: 0)
        return try Silence(
            id: "mute-\(number)", matchers: [LabelMatcher.forKey(key)], startsAt: origin, endsAt: nil,
            createdBy: "WATCHDOG_MUTE", comment: "standing silence from the environment: \(key)",
            origin: .environment, updatedAt: origin)
    }

    /// The configured silences in force at `now`.
    public func silences(at now: Date) -> [Silence] {
        standing + maintenance.compactMap { $0.silence(at: now) }
    }
}

extension Configuration {
    /// `WATCHDOG_MUTE` as standing silences, `WATCHDOG_MAINTENANCE` as recurring ones.
    public var silences: ConfiguredSilences { ConfiguredSilences(standing: mute, maintenance: maintenance) }
}
