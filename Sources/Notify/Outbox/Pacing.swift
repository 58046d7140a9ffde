/// A channel's rate limits: a minimum gap between two messages and, optionally, at most
/// `windowLimit` messages in any `window` (Telegram: 20 a minute to a group).
public struct Pacing: Sendable, Equatable {
    public var minimumGap: Duration
    public var windowLimit: Int?
    public var window: Duration

    public init(minimumGap: Duration, windowLimit: Int? = nil, window: Duration = .seconds(60)) {
        self.minimumGap = minimumGap
        self.windowLimit = windowLimit
        self.window = window
    }

    public static let unlimited = Pacing(minimumGap: .zero)

    /// The earliest time, as an offset on the caller's clock, at which the next message
    /// may go, given when the recent ones went (oldest first). Pure.
    public func earliestNextSend(after sentAt: [Duration]) -> Duration {
        var earliest = Duration.zero
        if let last = sentAt.last { earliest = last + minimumGap }
        if let limit = windowLimit, sentAt.count >= limit {
            earliest = max(earliest, sentAt[sentAt.count - limit] + window)
        }
        return earliest
    }
}
