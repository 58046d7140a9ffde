/// Whether a decided action reaches the channels, given silences and acknowledgements
/// (SPEC §4.1). Pure, next to `decide()`, and tested as a table.
///
/// - Silenced fires, repeats and flapping notices are held (and counted).
/// - The resolve of an announced fire always goes out; silenced, without a sound.
///   A key that fired and resolved inside a silence sends nothing.
/// - An acknowledged key's repeats are held.
/// - A key still firing whose fire was never announced is announced once as soon as no
///   silence holds it (a silence expired, was lifted, a window closed). Not while it
///   flaps: its settled message says where it ended.
enum Announcement: Equatable {
    /// Send the action's notification.
    case send(quiet: Bool)
    /// Send the key's fire now, late: the silence that held it is over.
    case lateFire
    /// Not sent because a silence holds it (counted in `/metrics`).
    case silenced
    /// Not sent because a firing cause holds it (SPEC §4.2; counted in `/metrics`).
    case inhibited
    /// Not sent because the key is acknowledged.
    case acknowledged
    /// Nothing to send.
    case nothing

    var sends: Bool {
        switch self {
        case .send, .lateFire: true
        case .silenced, .inhibited, .acknowledged, .nothing: false
        }
    }
}

/// What becomes of `action` for a key, and whether the key's problem counts as
/// announced afterwards. `announced`: its fire (or flapping notice) went out.
/// `inhibited`: a firing cause holds it (SPEC §4.2); only a key not yet announced is
/// held, and a silence is counted before a cause.
func announcement(
    for action: AlertAction, firing: Bool, flapping: Bool, announced: Bool, silenced: Bool, acknowledged: Bool,
    settledStillFiring: Bool = false, inhibited: Bool = false
) -> (announcement: Announcement, announced: Bool) {
    let inhibited = inhibited && !announced
    switch action {
    case .fire:
        return silenced ? (.silenced, false) : inhibited ? (.inhibited, false) : (.send(quiet: false), true)
    case .flapping:
        return silenced ? (.silenced, announced) : inhibited ? (.inhibited, false) : (.send(quiet: false), true)
    case .repeat:
        if silenced { return (.silenced, announced) }
        if inhibited { return (.inhibited, false) }
        if !announced { return (.lateFire, true) }
        if acknowledged { return (.acknowledged, true) }
        return (.send(quiet: false), true)
    case .resolve:
        return announced ? (.send(quiet: silenced), false) : (.nothing, false)
    case .settled:
        if inhibited { return (settledStillFiring ? .inhibited : .nothing, false) }
        if !silenced { return (.send(quiet: false), settledStillFiring) }
        // The end of an announced problem goes out even while silenced.
        if announced && !settledStillFiring { return (.send(quiet: true), false) }
        return (.silenced, announced && settledStillFiring)
    case .none:
        if firing && !flapping && !announced && !silenced && !inhibited { return (.lateFire, true) }
        return (.nothing, announced)
    }
}
