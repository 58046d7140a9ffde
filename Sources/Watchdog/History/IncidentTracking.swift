import FoundationEssentials
import Notify

/// The incidents a tick opened, changed and closed (SPEC §14). Pure: the state before the
/// tick (which holds the acknowledgements made since the last one, dropped by the tick
/// when their key resolves) and after it in; the open incidents and the changed ones out.
///
/// A key's problem is one incident from its fire to its resolve; while it flaps it is
/// one incident too (as `/alerts` lists it). An incident changes when it is acknowledged,
/// escalated, held by a new silence or cause, and when it resolves; each change is one
/// line of the log.
func trackIncidents(
    before: EngineState, after: EngineState, now: Date, routes: RouteTable
) -> (open: [SignalKey: Incident], changes: [Incident]) {
    // Copied on write: a steady tick, which changes no incident, writes nothing back.
    var open = before.incidents
    var changes: [Incident] = []
    // The log keeps whole seconds (RFC 3339 without fractions): the incident in memory
    // says the same as its line, before and after a restart.
    let now = wholeSecond(now)

    for (key, tracked) in after.alerts where tracked.state.firing || tracked.state.isFlapping {
        let startedAt = wholeSecond(tracked.state.since ?? tracked.state.flappingSince ?? now)
        var incident: Incident
        var events: [Incident.Event] = []
        var modified = false
        // The same problem: it started when it did, or it flaps (one incident while it does).
        if let known = before.incidents[key], known.startedAt == startedAt || tracked.state.isFlapping {
            incident = known
        } else {
            if let stale = before.incidents[key] {
                // The key's earlier problem ended and a new one began between two looks.
                changes.append(resolved(stale, at: now))
            }
            incident = Incident(
                id: Incident.id(key: key, startedAt: startedAt), event: .opened, at: now, key: key.description,
                family: key.family.rawValue, entity: key.entity, severity: tracked.signal.severity,
                title: tracked.signal.title, startedAt: startedAt)
            events.append(.opened)
        }
        // A steady tick changes nothing here and allocates nothing: most ticks are steady.
        if incident.title != tracked.signal.title {
            incident.title = tracked.signal.title
            modified = true
        }
        if tracked.signal.severity > incident.severity {
            incident.severity = tracked.signal.severity
            modified = true
        }
        let escalationTold = tracked.escalation?.told ?? []
        if tracked.announced, !incident.announced || escalationTold.contains(where: { !incident.channels.contains($0) })
        {
            incident.announced = true
            let told = routes.following(tracked.channels, plus: escalationTold) ?? routes.ordinary
            incident.channels = merged(incident.channels, told)
            modified = true
        }
        if incident.acknowledgedAt == nil,
            let acknowledgement = after.silences.acknowledgements[key] ?? before.silences.acknowledgements[key],
            acknowledgement.at >= incident.startedAt
        {
            incident.acknowledgedBy = acknowledgement.by
            incident.acknowledgedAt = wholeSecond(acknowledgement.at)
            incident.acknowledgedVia = acknowledgement.via
            events.append(.acknowledged)
        }
        if escalationTold.contains(where: { !incident.escalatedTo.contains($0) }) {
            incident.escalatedTo = merged(incident.escalatedTo, escalationTold)
            events.append(.escalated)
        }
        if let silence = tracked.heldBy?.id, !incident.silencedBy.contains(silence),
            incident.silencedBy.count < Incident.listLimit
        {
            incident.silencedBy.append(silence)
            events.append(.silenced)
        }
        // Its causes are looked at when they changed since the last tick (or it is new):
        // naming them costs a string each.
        if let causes = tracked.inhibition?.causes, incident.inhibitedBy.count < Incident.listLimit,
            !events.isEmpty || tracked.inhibition != before.alerts[key]?.inhibition,
            causes.contains(where: { !incident.inhibitedBy.contains($0.description) })
        {
            incident.inhibitedBy = merged(incident.inhibitedBy, causes.map(\.description))
            events.append(.inhibited)
        }
        // One line per tick and incident: the last change names it; the line holds them all.
        if let event = events.last {
            incident.event = event
            incident.at = event == .acknowledged ? incident.acknowledgedAt ?? now : now
            changes.append(incident)
        }
        if modified || !events.isEmpty { open[key] = incident }
    }
    // What was open and fires no more is over. (A key whose next problem is open already
    // had its earlier one resolved above.)
    for (key, incident) in before.incidents {
        if let tracked = after.alerts[key], tracked.state.firing || tracked.state.isFlapping { continue }
        open[key] = nil
        var last = incident
        if let acknowledgement = before.silences.acknowledgements[key], last.acknowledgedAt == nil,
            acknowledgement.at >= last.startedAt
        {
            // Acknowledged and over between two ticks: both are said.
            last.acknowledgedBy = acknowledgement.by
            last.acknowledgedAt = wholeSecond(acknowledgement.at)
            last.acknowledgedVia = acknowledgement.via
        }
        changes.append(resolved(last, at: now))
    }
    changes.sort { ($0.at, $0.key) < ($1.at, $1.key) }
    return (open, changes)
}

private func wholeSecond(_ date: Date) -> Date {
    Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
}

private func resolved(_ incident: Incident, at now: Date) -> Incident {
    var closed = incident
    closed.event = .resolved
    closed.at = now
    closed.resolvedAt = max(now, incident.startedAt)
    return closed
}

/// `base` with what `added` has that it has not, in order, within `Incident.listLimit`.
private func merged(_ base: [String], _ added: [String]) -> [String] {
    var result = base
    for name in added where !result.contains(name) && result.count < Incident.listLimit {
        result.append(name)
    }
    return result
}
