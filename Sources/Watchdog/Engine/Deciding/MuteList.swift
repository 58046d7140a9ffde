/// Keys and families whose notifications are dropped (`WATCHDOG_MUTE`). Muted keys are
/// still decided, so unmuting a firing key does not fire it again.
public struct MuteList: Sendable, Equatable {
    public let families: Set<SignalFamily>
    public let keys: Set<SignalKey>

    public init(_ entries: [SignalKey] = []) {
        families = Set(entries.filter { $0.entity == nil }.map(\.family))
        keys = Set(entries.filter { $0.entity != nil })
    }

    public func mutes(_ key: SignalKey) -> Bool {
        families.contains(key.family) || keys.contains(key)
    }
}
