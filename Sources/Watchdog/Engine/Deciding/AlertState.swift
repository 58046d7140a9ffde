import Foundation

/// What `decide()` remembers about one key between ticks.
public struct AlertState: Sendable, Codable, Equatable {
    public var firing: Bool
    /// Consecutive `active` observations while not firing.
    public var activeCount: Int
    /// Consecutive `inactive` observations while firing.
    public var inactiveCount: Int
    /// When the current problem started: the first `active` of the streak.
    public var since: Date?
    /// When the last fire or repeat was sent.
    public var lastNotified: Date?

    public init(
        firing: Bool = false, activeCount: Int = 0, inactiveCount: Int = 0, since: Date? = nil,
        lastNotified: Date? = nil
    ) {
        self.firing = firing
        self.activeCount = activeCount
        self.inactiveCount = inactiveCount
        self.since = since
        self.lastNotified = lastNotified
    }

    /// Neither firing nor counting towards a fire: nothing worth keeping, so the caller
    /// forgets the key and the state map stays bounded.
    public var isIdle: Bool { !firing && activeCount == 0 }
}
