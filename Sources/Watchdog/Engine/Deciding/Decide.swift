import Foundation

/// Turns one observation of one key into an action and the key's next state (SPEC §4).
///
/// Pure: no clock, no I/O, no logging. The caller passes `now` and carries out the
/// action; the whole rule set is tested as a table.
public func decide(
    _ observation: Observation, state: AlertState, now: Date, policy: AlertPolicy
) -> (action: AlertAction, next: AlertState) {
    switch observation {
    case .unknown:
        return (.none, state)

    case .active where policy.isEdge:
        return (.fire, AlertState())

    case .inactive where policy.isEdge:
        return (.none, AlertState())

    case .active where state.firing:
        var next = state
        next.inactiveCount = 0
        guard let every = policy.repeatEvery, let last = state.lastNotified,
            now.timeIntervalSince(last) >= every.seconds
        else { return (.none, next) }
        next.lastNotified = now
        return (.repeat, next)

    case .active:
        var next = state
        next.activeCount += 1
        next.since = state.since ?? now
        guard next.activeCount >= policy.fireAfter else { return (.none, next) }
        next.firing = true
        next.activeCount = 0
        next.lastNotified = now
        return (.fire, next)

    case .inactive where state.firing:
        var next = state
        next.inactiveCount += 1
        guard next.inactiveCount >= policy.resolveAfter else { return (.none, next) }
        return (.resolve, AlertState())

    case .inactive:
        return (.none, AlertState())
    }
}
