import FoundationEssentials

/// Turns one observation of one key into an action and the key's next state (SPEC §4).
///
/// Pure: no clock, no I/O, no logging. The caller passes `now` and carries out the
/// action; the whole rule set is tested as a table.
public func decide(
    _ observation: Observation, state: AlertState, now: Date, policy: AlertPolicy
) -> (action: AlertAction, next: AlertState) {
    let (action, next) = decideTransition(observation, state: state, now: now, policy: policy)
    guard let flap = policy.flap, !policy.isEdge, observation != .unknown else { return (action, next) }
    return holdWhileFlapping(action, previous: state, next: next, now: now, flap: flap)
}

/// Fire, repeat and resolve, as if no key ever flapped.
private func decideTransition(
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

/// Flapping (SPEC §4): counting fires and resolves within the window, the N-th becomes one
/// `flapping` action and later transitions are held; once the key has not changed for a
/// whole window, one `settled` action says where it ended. The flap history outlives a
/// resolve, so a resolved key is remembered until its changes leave the window.
private func holdWhileFlapping(
    _ action: AlertAction, previous: AlertState, next decided: AlertState, now: Date, flap: FlapPolicy
) -> (action: AlertAction, next: AlertState) {
    let window = flap.window.seconds
    var next = decided
    next.changes = previous.changes.filter { now.timeIntervalSince($0) < window }
    next.flappingSince = previous.flappingSince
    next.lastChange = previous.lastChange
    let isChange = action == .fire || action == .resolve
    if isChange {
        next.changes = Array((next.changes + [now]).suffix(flap.changes))
        next.lastChange = now
    }

    if next.isFlapping {
        switch action {
        case .fire, .resolve:
            return (.none, next)
        case .repeat:
            // Held like the rest; the cooldown runs on from the last message sent.
            next.lastNotified = previous.lastNotified
            return (.none, next)
        case .none, .flapping, .settled:
            guard let last = next.lastChange ?? next.flappingSince, now.timeIntervalSince(last) >= window else {
                return (.none, next)
            }
            next.flappingSince = nil
            next.changes = []
            if next.firing { next.lastNotified = now }
            return (.settled, next)
        }
    }

    if isChange && next.changes.count >= flap.changes {
        next.flappingSince = now
        return (.flapping, next)
    }
    return (action, next)
}
