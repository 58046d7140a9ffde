import FoundationEssentials

/// The process's clocks, made here and nowhere else (scripts/check-clock.sh guards it):
/// the monotonic clock that schedules ticks, paces the outbox and ages the endpoint's
/// last tick, and the wall clock that the tick service reads once per tick for the
/// tick's `now`. Everything below gets one of these or the tick's `now`.
enum ProcessClocks {
    static let monotonic = ContinuousClock()
    static let wall: @Sendable () -> Date = { Date() }
    private static let start = monotonic.now

    /// Monotonic time since the process's clocks were first asked: for what needs a
    /// monotonic reading without a clock type of its own (the heartbeat board).
    static func sinceStart() -> Duration { start.duration(to: monotonic.now) }
}
