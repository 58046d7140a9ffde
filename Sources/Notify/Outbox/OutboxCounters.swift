/// What one channel's outbox has done since start, for logs and `/metrics`.
public struct OutboxCounters: Sendable, Equatable {
    public var delivered = 0
    /// Attempts that failed and will be retried.
    public var retried = 0
    /// Messages the API refused for good (a 4xx other than 429).
    public var rejected = 0
    /// Messages dropped because the outbox was full.
    public var dropped = 0

    public init() {}
}

/// One channel's counters and the number of messages waiting in its outbox.
public struct ChannelStatistics: Sendable, Equatable {
    public var channel: String
    public var counters: OutboxCounters
    public var depth: Int

    public init(channel: String, counters: OutboxCounters, depth: Int) {
        self.channel = channel
        self.counters = counters
        self.depth = depth
    }
}
