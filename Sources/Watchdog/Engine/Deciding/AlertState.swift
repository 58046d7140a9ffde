import FoundationEssentials

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
    /// Fires and resolves within the flap window, oldest first (at most the flap count).
    public var changes: [Date]
    /// When the key started flapping; nil while it is not.
    public var flappingSince: Date?
    /// When it last fired or resolved: a flapping key settles a window after that.
    public var lastChange: Date?

    public init(
        firing: Bool = false, activeCount: Int = 0, inactiveCount: Int = 0, since: Date? = nil,
        lastNotified: Date? = nil, changes: [Date] = [], flappingSince: Date? = nil, lastChange: Date? = nil
    ) {
        self.firing = firing
        self.activeCount = activeCount
        self.inactiveCount = inactiveCount
        self.since = since
        self.lastNotified = lastNotified
        self.changes = changes
        self.flappingSince = flappingSince
        self.lastChange = lastChange
    }

    /// State files written before flapping existed have no `changes`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        firing = try container.decode(Bool.self, forKey: .firing)
        activeCount = try container.decode(Int.self, forKey: .activeCount)
        inactiveCount = try container.decode(Int.self, forKey: .inactiveCount)
        since = try container.decodeIfPresent(Date.self, forKey: .since)
        lastNotified = try container.decodeIfPresent(Date.self, forKey: .lastNotified)
        changes = try container.decodeIfPresent([Date].self, forKey: .changes) ?? []
        flappingSince = try container.decodeIfPresent(Date.self, forKey: .flappingSince)
        lastChange = try container.decodeIfPresent(Date.self, forKey: .lastChange)
    }

    /// Neither firing, nor counting towards a fire, nor remembering recent changes for
    /// the flap count: nothing worth keeping, so the caller forgets the key and the state
    /// map stays bounded.
    public var isIdle: Bool { !firing && activeCount == 0 && changes.isEmpty && flappingSince == nil }

    public var isFlapping: Bool { flappingSince != nil }
}
