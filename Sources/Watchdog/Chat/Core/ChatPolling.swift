import FoundationEssentials

/// How long a chat's long poll waits after a failure, the same for every chat (SPEC §13):
/// what a 429 asks (at most an hour), else from 1 s doubling to a minute; a refusal
/// (a revoked token, a 409, an encrypted room) every minute. Pure.
public enum ChatPolling {
    public static let refusedPause: Duration = .seconds(60)

    /// The wait after the `failures`-th failure in a row (1 for the first).
    public static func wait(failures: Int, retryAfter: Double?) -> Duration {
        if let retryAfter, retryAfter.isFinite {
            return .milliseconds(Int64((min(max(retryAfter, 0), 3_600) * 1000).rounded()))
        }
        return .seconds(min(60, 1 << min(max(failures, 1) - 1, 6)))
    }
}
