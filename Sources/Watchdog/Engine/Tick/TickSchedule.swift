/// When the next tick starts.
///
/// Ticks sit on a fixed grid (`previous + interval`), so they do not drift with the time
/// a tick takes. A tick that overran its slot is followed at once by the next, and the
/// grid continues from there: ticks never stack and never run concurrently.
public func nextTickStart<I: InstantProtocol>(
    scheduled previous: I, finishedAt: I, interval: I.Duration
) -> I {
    let next = previous.advanced(by: interval)
    return next > finishedAt ? next : finishedAt
}
