import FoundationEssentials
import Notify

/// One observed key after deciding, before what it announces is worked out.
struct DecidedKey {
    let key: SignalKey
    let observation: Observation
    let signal: Signal?
    let previous: TrackedAlert?
    let action: AlertAction
    let decided: AlertState

    /// Its problem ends with this tick.
    var ends: Bool { previous?.state.firing == true && !decided.firing }
}

/// Which alerts hold which after this tick's decisions: every key that fires, observed
/// or standing, and the causes that ended within the last interval (`recentlyResolved`).
func causeGraph(
    _ decided: [DecidedKey], state: EngineState, observations: [SignalKey: (Observation, Signal?)],
    settings: DecisionSettings, next: EngineState, now: Date
) -> CauseGraph {
    var firing: [SignalKey: Severity] = [:]
    for entry in decided where entry.decided.firing {
        firing[entry.key] = (entry.signal ?? entry.previous?.signal)?.severity ?? .warning
    }
    guard !firing.isEmpty || !state.alerts.isEmpty else { return .empty }
    for (key, tracked) in state.alerts where tracked.state.firing && observations[key] == nil {
        firing[key] = tracked.signal.severity
    }
    var lingering: [SignalKey: Date] = [:]
    // Ending this tick, or within the last interval.
    for entry in decided where entry.ends && lingers(entry.key) {
        firing[entry.key] = (entry.signal ?? entry.previous?.signal)?.severity ?? .warning
        lingering[entry.key] = now
    }
    for (key, resolved) in state.recentlyResolved where firing[key] == nil {
        firing[key] = resolved.severity
        lingering[key] = resolved.at
    }
    return CauseGraph(
        firing: firing, lingering: lingering, places: next.places, rules: settings.causes,
        instance: settings.instance)
}

/// Whether a key whose problem ended still holds what fires in its wake. Not Docker
/// unreachable: the containers were unknown while it fired, so what the daemon shows when
/// it is back is news, not an echo.
private func lingers(_ key: SignalKey) -> Bool {
    key.family != .dockerUnreachable
}

/// Keeps, for one interval, the keys whose problem ended this tick; forgets older ones
/// and those firing again.
func rememberResolved(
    _ decided: [DecidedKey], state: inout EngineState, now: Date, settings: DecisionSettings
) {
    let window = settings.causeReleaseAfter.seconds
    if !state.recentlyResolved.isEmpty {
        state.recentlyResolved = state.recentlyResolved.filter { key, resolved in
            now.timeIntervalSince(resolved.at) < window && state.alerts[key]?.state.firing != true
        }
    }
    guard window > 0 else { return }
    for entry in decided where entry.ends && lingers(entry.key) {
        let severity = (entry.signal ?? entry.previous?.signal)?.severity ?? .warning
        state.recentlyResolved[entry.key] = ResolvedCause(at: now, severity: severity)
    }
}

/// Whether a cause holds `key` this tick, and the inhibition it keeps (SPEC §4.2). Only a
/// key not yet announced is held. Once its causes are over it is released, and still held
/// for one tick's interval (`releaseAfter`): an effect takes a moment to recover after
/// its cause (a healthcheck's next run, a probe's next tick), and Docker's events re-judge
/// containers in between. Its first own reading after that announces it if it still
/// fires; it is gone if it recovered first.
func inhibitionOf(
    _ key: SignalKey, previous: TrackedAlert?, decided: AlertState, observation: Observation, graph: CauseGraph,
    now: Date, releaseAfter: Duration
) -> (inhibition: Inhibition?, inhibited: Bool) {
    guard !(previous?.announced ?? false), decided.firing || decided.isFlapping else { return (nil, false) }
    var held: Inhibition
    if let causes = graph.holders[key] {
        let ended = causes.compactMap { graph.lingering[$0] }
        // A cause that fires holds it.
        guard ended.count == causes.count, let end = ended.min() else { return (Inhibition(causes: causes), true) }
        // Only causes that just ended hold it: released when they ended, or now if they
        // held it while they fired.
        held = previous?.inhibition ?? Inhibition(causes: causes, released: true, releasedAt: end)
    } else if let previous = previous?.inhibition {
        held = previous
    } else {
        return (nil, false)
    }
    if !held.released {
        held.released = true
        held.releasedAt = now
    }
    let releasedAt = held.releasedAt ?? now
    let due = releasedAt < now && releasedAt.addingTimeInterval(releaseAfter.seconds) <= now
    return (held, observation != .active || !due)
}

/// The causes' side of this tick (SPEC §4.2): their lists of effects brought up to date,
/// their fire and resolve messages naming them, and for an announced cause that gained
/// effects, one message: an edit of its fire where the channel can, a short follow-up
/// elsewhere.
func causeNotes(
    _ notifications: [AlertNotification], graph: CauseGraph, recovered: [SignalKey: [SignalKey]],
    ended: [SignalKey: CauseEffects], state: inout EngineState, now: Date, settings: DecisionSettings
) -> [AlertNotification] {
    guard !graph.effects.isEmpty || !recovered.isEmpty || !ended.isEmpty else { return notifications }
    let texts = settings.texts
    var ended = ended
    for (cause, effects) in recovered {
        for effect in effects {
            if state.alerts[cause]?.state.firing == true {
                if state.alerts[cause]?.effects == nil { state.alerts[cause]?.effects = CauseEffects() }
                state.alerts[cause]?.effects?.recovered(effect)
            } else {
                ended[cause, default: CauseEffects()].recovered(effect)
            }
        }
    }
    var gained: Set<SignalKey> = []
    for (cause, effects) in graph.effects.sorted(by: { $0.key < $1.key }) {
        guard let tracked = state.alerts[cause], tracked.state.firing else { continue }
        var book = tracked.effects ?? CauseEffects()
        let seen = effects.compactMap { effect -> (key: SignalKey, standing: CauseEffects.Standing)? in
            if state.alerts[effect]?.announced == true { return (effect, .alsoFiring) }
            return graph.holders[effect]?.contains(cause) == true ? (effect, .held) : nil
        }
        if book.take(seen) { gained.insert(cause) }
        state.alerts[cause]?.effects = book
    }

    var out: [AlertNotification] = []
    var spoken: Set<SignalKey> = []
    for var notification in notifications {
        if let key = SignalKey(parsing: notification.key) {
            if notification.announcesProblem || notification.action == .flapping,
                let book = state.alerts[key]?.effects, !book.effects.isEmpty
            {
                notification.detail = joined(notification.detail, causeEffectsText(book, texts: texts))
                state.alerts[key]?.effects?.markTold()
                spoken.insert(key)
            } else if notification.endsProblem, let book = ended[key] {
                notification.detail = joined(notification.detail, outcome(book, state: state, texts: texts))
            }
        }
        out.append(notification)
    }
    for cause in gained.sorted() where !spoken.contains(cause) {
        guard let tracked = state.alerts[cause], tracked.announced, tracked.heldBy == nil,
            let book = tracked.effects, book.hasNews
        else { continue }
        out.append(update(cause, tracked, book: book, state: state, now: now, settings: settings))
        state.alerts[cause]?.effects?.markTold()
    }
    return out
}

func joined(_ detail: String, _ more: String) -> String {
    more.isEmpty ? detail : detail.isEmpty ? more : "\(detail)\n\(more)"
}

/// Every effect of a cause, as its fire message names them.
func causeEffectsText(_ book: CauseEffects, texts: Texts) -> String {
    let affected = book.effects.filter { $0.standing != .alsoFiring }.map(\.key)
    let firing = book.effects.filter { $0.standing == .alsoFiring }.map(\.key)
    var lines: [String] = []
    if !affected.isEmpty || book.uncounted > 0 {
        lines.append(texts.alsoAffected(texts.effectList(affected, more: book.uncounted)))
    }
    if !firing.isEmpty { lines.append(texts.alsoFiring(texts.effectList(firing))) }
    return lines.joined(separator: "\n")
}

/// What a cause's end says of the effects it held: those that recovered with it (or
/// before it), and those that did not yet.
private func outcome(_ book: CauseEffects, state: EngineState, texts: Texts) -> String {
    var recovered: [SignalKey] = []
    var pending: [SignalKey] = []
    for effect in book.effects where effect.standing != .alsoFiring {
        if effect.standing == .held, state.alerts[effect.key]?.state.firing == true {
            pending.append(effect.key)
        } else {
            recovered.append(effect.key)
        }
    }
    var lines: [String] = []
    if !recovered.isEmpty { lines.append(texts.recoveredWithIt(texts.effectList(recovered))) }
    if !pending.isEmpty { lines.append(texts.notYetRecovered(texts.effectList(pending))) }
    return lines.joined(separator: "\n")
}

/// The message of a cause that gained effects since it was announced: what was added,
/// and the fire as it now reads for the channels that rewrite it.
private func update(
    _ cause: SignalKey, _ tracked: TrackedAlert, book: CauseEffects, state: EngineState, now: Date,
    settings: DecisionSettings
) -> AlertNotification {
    let texts = settings.texts
    let added = book.untold
    var lines: [String] = []
    let affected = added.filter { $0.standing != .alsoFiring }.map(\.key)
    let firing = added.filter { $0.standing == .alsoFiring }.map(\.key)
    let more = max(0, book.uncounted - book.uncountedTold)
    if !affected.isEmpty || more > 0 { lines.append(texts.alsoAffected(texts.effectList(affected, more: more))) }
    if !firing.isEmpty { lines.append(texts.alsoFiring(texts.effectList(firing))) }
    let since = tracked.state.since ?? tracked.state.flappingSince ?? now
    var message = AlertNotification(
        id: "\(cause)@\(Int(since.timeIntervalSince1970)):effects@\(Int(now.timeIntervalSince1970))",
        action: .effects, severity: tracked.signal.severity, family: cause.family.rawValue, entity: cause.entity,
        title: tracked.signal.title, detail: lines.joined(separator: "\n"), instance: settings.instance,
        startedAt: since, at: now, quiet: true)
    var fire = joined(tracked.signal.detail, causeEffectsText(book, texts: texts))
    if tracked.acknowledgementTold, let acknowledgement = state.silences.acknowledgements[cause] {
        fire = joined(
            fire,
            "\(NotificationAction.acknowledge.icon) "
                + texts.acknowledged(by: acknowledgement.by, at: acknowledgement.at, via: acknowledgement.via))
    }
    message.fireDetail = fire
    message.channels = settings.routes.following(tracked.channels)
    return message
}
