/// How long to wait before retrying a message (SPEC §5): 1 s doubling per attempt,
/// capped at 5 minutes, with jitter so many watchdogs do not retry in step; an API's
/// own `retry_after` is honoured exactly.
public struct RetryPolicy: Sendable, Equatable {
    public var initial: Duration = .seconds(1)
    public var cap: Duration = .seconds(300)
    /// Each wait is scaled by a factor in `1 - jitter ... 1 + jitter`, then capped.
    public var jitter: Double = 0.2

    public init() {}

    /// The wait before attempt `failures + 1`, after `failures` failed attempts (≥ 1).
    /// `unit` is a random number in 0..<1, passed in so the function stays pure.
    public func delay(afterFailures failures: Int, retryAfter: Double?, unit: Double) -> Duration {
        if let retryAfter, retryAfter >= 0 {
            // Exactly what the API asked for; an hour at most, against a hostile value.
            return .milliseconds(Int64((min(retryAfter, 3_600) * 1000).rounded()))
        }
        let exponent = min(max(failures - 1, 0), 30)
        let base = min(initial.seconds * Double(1 << exponent), cap.seconds)
        let jittered = base * (1 - jitter + 2 * jitter * unit)
        return .milliseconds(Int64((min(jittered, cap.seconds) * 1000).rounded()))
    }
}
