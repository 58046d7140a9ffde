import FoundationEssentials

/// The silences that come from the configuration: standing ones from `WATCHDOG_MUTE`
/// and the recurring windows of `WATCHDOG_MAINTENANCE`. Not stored: they are what the
/// environment says, at every start.
public struct ConfiguredSilences: Sendable {
    public let standing: [Silence]
    public let maintenance: [MaintenanceWindow]

    public init(mute: [SignalKey] = [], maintenance: [MaintenanceWindow] = []) {
        self.maintenance = maintenance
        standing = mute.enumerated().map { index, key in
            Silence(
                id: "mute-\(index + 1)", matchers: [LabelMatcher.forKey(key)],
                startsAt: Date(timeIntervalSince1970: 0), endsAt: nil, createdBy: "WATCHDOG_MUTE",
                comment: "standing silence from the environment: \(key)", origin: .environment,
                updatedAt: Date(timeIntervalSince1970: 0))
        }
    }

    /// The configured silences in force at `now`.
    public func silences(at now: Date) -> [Silence] {
        standing + maintenance.compactMap { $0.silence(at: now) }
    }
}

extension Configuration {
    /// `WATCHDOG_MUTE` as standing silences, `WATCHDOG_MAINTENANCE` as recurring ones.
    public var silences: ConfiguredSilences { ConfiguredSilences(mute: mute, maintenance: maintenance) }
}
