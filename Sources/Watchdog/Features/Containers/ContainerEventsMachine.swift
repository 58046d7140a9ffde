import Collectors
import Logging

/// How the container source follows Docker's events stream (SPEC §10.2), as a state
/// machine: what happened to the stream goes in, what to do comes out. Pure: no clock,
/// no I/O; `ContainerWatch` carries the actions out, its timers on the clock it is given.
///
/// - The stream is opened at start and reopened after it ends, at once after it was open
///   and with a growing delay (to `longestReconnectDelay`) while it cannot be opened.
/// - An event that changes how a watched container is judged re-judges now; a `die` or
///   a `destroy` also re-judges once the grace of a stop on request is over, so a
///   container stopped on purpose and not back by then is announced without waiting for
///   the tick.
/// - The stream lost, or the first attempt to reopen it failed, re-judges now: whether
///   the daemon is gone is for a read to say.
/// - A problem is logged when it changes, not at every attempt, and a stream open again
///   after one is said once.
struct ContainerEventsMachine: Sendable, Equatable {
    enum Input: Sendable, Equatable {
        /// The follower starts.
        case start
        /// The daemon accepted the stream.
        case opened
        /// An event of a watched container: whether it changes how it is judged.
        case event(DockerEvent.Action, changesState: Bool)
        /// The daemon ended the stream (a restart, a closed connection).
        case closed
        /// The stream could not be opened, or broke; why.
        case failed(String)
        /// The reconnect delay asked for is over.
        case reconnectDue
    }

    enum Action: Sendable, Equatable {
        /// Open the stream (with `since=` where it left off).
        case open
        /// Run the source now, outside the tick.
        case rejudge
        /// Run the source when this much time has passed.
        case recheck(after: Duration)
        /// Say `.reconnectDue` when this much time has passed.
        case reconnect(after: Duration)
        case log(Logger.Level, String, error: String? = nil)
    }

    /// The grace of a container stopped on request (`WATCHDOG_CONTAINER_GRACE`).
    let grace: Duration
    /// Attempts in a row that did not open the stream.
    private(set) var failures = 0
    /// Whether the current attempt opened the stream.
    private(set) var openedThisAttempt = false
    /// The problem last logged; nil once events come through again.
    private(set) var lastProblem: String?
    private(set) var saidOpenAgain = false

    /// The longest wait between two attempts to reopen the stream: each tick polls
    /// meanwhile, so this bounds only how long events are slower than they should be.
    static let longestReconnectDelay: Duration = .seconds(8)
    /// A re-judging after the grace comes this much after it, so the grace is surely over.
    static let graceMargin: Duration = .milliseconds(500)

    init(grace: Duration) {
        self.grace = grace
    }

    /// The delay before attempt `failures + 1`: 0.5 s, 1 s, 2 s, … up to the longest.
    static func reconnectDelay(failures: Int) -> Duration {
        min(longestReconnectDelay, .milliseconds(250) * (1 << min(max(failures, 0), 6)))
    }

    mutating func handle(_ input: Input) -> [Action] {
        switch input {
        case .start, .reconnectDue:
            openedThisAttempt = false
            return [.open]
        case .opened:
            openedThisAttempt = true
            var actions: [Action] = []
            if lastProblem != nil, !saidOpenAgain {
                actions.append(.log(.notice, "Docker events stream open again"))
                saidOpenAgain = true
            } else {
                actions.append(.log(.debug, "Docker events stream open"))
            }
            // Events may have been missed while it was closed: judge everything now.
            return actions + [.rejudge]
        case .event(let action, let changesState):
            lastProblem = nil
            saidOpenAgain = false
            guard changesState else { return [] }
            if action == .die || action == .destroy { return [.rejudge, .recheck(after: grace + Self.graceMargin)] }
            return [.rejudge]
        case .closed:
            // It was open and ended as a stream ends: whatever was wrong before is over.
            lastProblem = nil
            saidOpenAgain = false
            return [.log(.info, "Docker closed its events stream; reconnecting")] + afterEnd()
        case .failed(let problem):
            var actions: [Action] = []
            if problem != lastProblem {
                actions.append(
                    .log(
                        .warning, "Docker events stream unavailable; ticks poll every container until it is back",
                        error: problem))
                lastProblem = problem
                saidOpenAgain = false
            }
            return actions + afterEnd()
        }
    }

    /// After the stream ended or could not be opened: re-judge when it just went or the
    /// first attempt to reopen it failed, and reconnect after the backoff.
    private mutating func afterEnd() -> [Action] {
        failures = openedThisAttempt ? 0 : failures + 1
        let rejudge: [Action] = openedThisAttempt || failures == 1 ? [.rejudge] : []
        openedThisAttempt = false
        return rejudge + [.reconnect(after: Self.reconnectDelay(failures: failures))]
    }
}
