import FoundationEssentials
import Notify

/// The pure half of a tick: outcomes in, decisions, notifications and the next state out.
public struct TickEvaluation: Sendable {
    public let decisions: [Decision]
    public let notifications: [AlertNotification]
    /// Every announced key firing (or flapping) after this tick, as fire notifications:
    /// what channels that mirror state (Alertmanager) re-post each tick.
    public let firing: [AlertNotification]
    /// Notifications held by a silence this tick, per family.
    public let silencedByFamily: [String: Int]
    public var silencedCount: Int { silencedByFamily.values.reduce(0, +) }
    /// Notifications held behind a firing cause this tick, per family (SPEC §4.2).
    public var inhibitedByFamily: [String: Int] = [:]
    /// Escalations sent this tick (reminders included), per tier number from 1.
    public var escalationsByTier: [Int: Int] = [:]
    /// The incidents this tick opened, changed or closed, as the lines of the incident
    /// log (SPEC §14).
    public var incidentChanges: [Incident] = []
    /// Per source that ran, what it left out for being over a limit (`SourceLimits`).
    public let overLimit: [String: String]
    public let state: EngineState
}

/// The signals of one source within `SourceLimits.keysPerSource`: keys already tracked
/// first (so nothing firing is lost or falsely resolved), then active ones, then the
/// rest, each in key order so the same keys stay watched from tick to tick. Pure.
func keepWithinLimit(
    _ signals: [Signal], tracked: [SignalKey: TrackedAlert], limit: Int = SourceLimits.keysPerSource
) -> (kept: [Signal], leftOut: Int) {
    guard signals.count > limit else { return (signals, 0) }
    func rank(_ signal: Signal) -> Int { tracked[signal.key] != nil ? 0 : signal.active ? 1 : 2 }
    let ordered = signals.sorted { (rank($0), $0.key) < (rank($1), $1.key) }
    return (Array(ordered.prefix(limit)), signals.count - limit)
}

/// Turns this tick's source outcomes into observations, decides every observed key, and
/// returns what to send (SPEC §4). Pure: the caller passes `now` and does the sending.
public func evaluateTick(
    _ outcomes: [SourceOutcome], state: EngineState, now: Date, settings: DecisionSettings
) -> TickEvaluation {
    var next = state
    var observations: [SignalKey: (Observation, Signal?)] = [:]
    var overLimit: [String: String] = [:]

    for outcome in outcomes {
        let collectorKey = SignalKey(.collectorFailed, outcome.source)
        switch outcome.status {
        case .ok:
            next.collectors[outcome.source] = nil
            next.samples[outcome.source] = outcome.memory
            let (signals, leftOut) = keepWithinLimit(outcome.signals, tracked: state.alerts)
            var notes = outcome.overLimit.map { [$0] } ?? []
            if leftOut > 0 {
                notes.append(
                    "\(outcome.signals.count) keys reported; \(SourceLimits.keysPerSource) are watched, \(leftOut) left out"
                )
            }
            if !notes.isEmpty { overLimit[outcome.source] = notes.joined(separator: "; ") }
            for signal in signals {
                observations[signal.key] = (signal.active ? .active : .inactive, signal)
            }
            // Synthesized recovery: what the source no longer reports is gone, unless the
            // source says it could not judge it this tick, or it was left out over the limit.
            let reported = leftOut == 0 ? [] : Set(outcome.signals.map(\.key))
            for key in state.alerts.keys
            where outcome.ownership.owns(key) && observations[key] == nil && outcome.unknown?.owns(key) != true
                && !reported.contains(key)
            {
                observations[key] = (.inactive, nil)
            }
            // Only a stored collector_failed key needs the inactive observation.
            guard state.alerts[collectorKey] != nil else { continue }
            observations[collectorKey] = (
                .inactive,
                Signal(
                    key: collectorKey, active: false, severity: .warning,
                    title: settings.texts.collectorFailedTitle(source: outcome.source),
                    detail: settings.texts.collectorRecoveredDetail())
            )

        case .failed(let error):
            var health = next.collectors[outcome.source] ?? CollectorHealth()
            health.consecutiveFailures += 1
            health.lastError = error
            next.collectors[outcome.source] = health
            guard health.consecutiveFailures >= settings.collectorFailedAfter else { continue }
            observations[collectorKey] = (
                .active,
                Signal(
                    key: collectorKey, active: true, severity: .warning,
                    title: settings.texts.collectorFailedTitle(source: outcome.source),
                    detail: settings.texts.collectorFailedDetail(
                        ticks: health.consecutiveFailures, error: error))
            )

        case .notDue:
            // Its last signals stand: a firing key may still repeat, nothing is counted.
            for signal in outcome.signals
            where signal.active && state.alerts[signal.key]?.state.firing == true {
                observations[signal.key] = (.active, signal)
            }

        case .cancelled:
            break
        }
    }

    var decisions: [Decision] = []
    var notifications: [AlertNotification] = []
    var silencedByFamily: [String: Int] = [:]
    let silences = silencesInForce(configured: settings.silences, book: state.silences, now: now)
    let inForce = SilenceSet(silences)
    let versions = Dictionary(silences.map { ($0.id, $0.version) }) { first, _ in first }
    /// Whether a silence holds the key, and which. A key held last tick by a silence
    /// still in force, unchanged since, is held without matching again: with many
    /// silences the matching is what a tick costs, and held keys are asked every tick.
    func holding(_ key: SignalKey, _ severity: Severity, last: SilenceMark?) -> SilenceMark? {
        // (A changed severity is seen at the key's next fire or repeat, which match anew.)
        if let last, versions[last.id] == last.version { return last }
        guard !inForce.isEmpty,
            let id = inForce.silencing(SilenceSet.labels(of: key, severity: severity, instance: settings.instance))
                .first,
            let version = versions[id]
        else { return nil }
        return SilenceMark(id: id, version: version)
    }

    // Every observed key is decided first: which alerts hold which (SPEC §4.2) depends
    // on everything that fires after this tick, causes and effects decided together.
    var decided: [DecidedKey] = []
    decided.reserveCapacity(observations.count)
    for key in observations.keys.sorted() {
        let (observation, signal) = observations[key]!
        let previous = next.alerts[key]
        let (action, state) = decide(
            observation, state: previous?.state ?? AlertState(), now: now,
            policy: settings.policies.policy(for: key.family))
        decided.append(
            DecidedKey(
                key: key, observation: observation, signal: signal, previous: previous, action: action,
                decided: state))
    }
    for outcome in outcomes {
        if let places = outcome.places { next.places.merge(places) { _, new in new } }
    }
    let graph = causeGraph(
        decided, state: state, observations: observations, settings: settings, next: next, now: now)
    var inhibitedByFamily: [String: Int] = [:]
    /// Per cause, the held effects that recovered this tick.
    var recoveredEffects: [SignalKey: [SignalKey]] = [:]
    /// The effects of the causes whose problem ended this tick, for their last message.
    var endedCauses: [SignalKey: CauseEffects] = [:]

    for entry in decided {
        let (key, observation, signal, previous, action, decided) =
            (entry.key, entry.observation, entry.signal, entry.previous, entry.action, entry.decided)

        let severity = (signal ?? previous?.signal)?.severity ?? .warning
        // Matching is the costly part with many silences; a quiet tick of an announced
        // key does not need it (the rules below give the same answer either way).
        let wasAnnounced = previous?.announced ?? false
        let (inhibition, inhibited) = inhibitionOf(
            key, previous: previous, decided: decided, observation: observation, graph: graph, now: now,
            releaseAfter: settings.causeReleaseAfter)
        let mayLateFire = decided.firing && !decided.isFlapping && !wasAnnounced && !inhibited
        let heldBy = action != .none || mayLateFire ? holding(key, severity, last: previous?.heldBy) : nil
        let silenced = heldBy != nil
        let (announcement, announced) = announcement(
            for: action, firing: decided.firing, flapping: decided.isFlapping, announced: wasAnnounced,
            silenced: silenced, acknowledged: next.silences.acknowledgements[key] != nil,
            settledStillFiring: decided.firing, inhibited: inhibited)

        // A held effect that recovered: its causes say so.
        if let held = previous?.inhibition, !held.released, !decided.firing, !decided.isFlapping {
            for cause in held.causes { recoveredEffects[cause, default: []].append(key) }
        }
        if entry.ends, let effects = previous?.effects { endedCauses[key] = effects }

        // Routes are decided when a problem is first announced; everything after follows.
        let channels =
            announced && !wasAnnounced
            ? settings.destinations(of: key, severity: severity, at: now) : wasAnnounced ? previous?.channels : nil

        if decided.isIdle {
            next.alerts[key] = nil
        } else if let remembered = observation == .active ? signal : previous?.signal ?? signal {
            var tracked = TrackedAlert(
                state: decided, signal: remembered, announced: announced, heldBy: heldBy,
                channels: announced ? channels : nil,
                escalation: announced && wasAnnounced ? previous?.escalation : nil,
                acknowledgementTold: announced && wasAnnounced ? previous?.acknowledgementTold ?? false : false)
            // A late fire says it was held; the inhibition goes once the fire is out.
            tracked.inhibition = announced && announcement != .lateFire ? nil : inhibition
            // A new problem starts a new list of effects.
            tracked.effects = action == .fire || !decided.firing ? nil : previous?.effects
            next.alerts[key] = tracked
        }

        switch announcement {
        case .send(let quiet):
            if var notification = makeNotification(
                action, key: key, signal: signal, previous: previous, decided: decided, now: now, quiet: quiet,
                settings: settings)
            {
                // The end of a problem also reaches the escalation tiers that were told.
                notification.channels =
                    notification.endsProblem
                    ? settings.routes.following(channels, plus: previous?.escalation?.told ?? [])
                    : settings.routes.following(channels)
                notifications.append(notification)
                if notification.announcesProblem, settings.escalation.isOn {
                    next.alerts[key]?.escalation = EscalationState(announcedBy: notification.id)
                }
            }
        case .lateFire:
            // Its cooldown runs from this announcement.
            next.alerts[key]?.state.lastNotified = now
            if let tracked = next.alerts[key] {
                let fire = lateFire(key, tracked, now: now, settings: settings)
                notifications.append(fire)
                next.alerts[key]?.inhibition = nil
                if settings.escalation.isOn { next.alerts[key]?.escalation = EscalationState(announcedBy: fire.id) }
            }
        case .silenced:
            silencedByFamily[key.family.rawValue, default: 0] += 1
        case .inhibited:
            inhibitedByFamily[key.family.rawValue, default: 0] += 1
        case .acknowledged, .nothing:
            break
        }
        decisions.append(
            Decision(
                key: key, observation: observation, action: action, firing: decided.firing,
                held: action != .none && !announcement.sends))
    }

    // Keys no source spoke for this tick (not due, failed) still get their late fire
    // when the silence that held them ends; not while a cause holds them.
    for (key, tracked) in next.alerts.sorted(by: { $0.key < $1.key }) where observations[key] == nil {
        if !tracked.announced, tracked.state.firing, let causes = graph.holders[key] {
            next.alerts[key]?.inhibition = Inhibition(causes: causes)
        } else if var held = tracked.inhibition, !held.released {
            held.released = true
            held.releasedAt = now
            next.alerts[key]?.inhibition = held
        }
        guard tracked.state.firing, !tracked.announced, !tracked.state.isFlapping,
            next.alerts[key]?.inhibition == nil
        else {
            decisions.append(
                Decision(key: key, observation: .unknown, action: .none, firing: tracked.state.firing, held: false))
            continue
        }
        let heldBy = holding(key, tracked.signal.severity, last: tracked.heldBy)
        next.alerts[key]?.heldBy = heldBy
        let (announcement, announced) = announcement(
            for: .none, firing: tracked.state.firing, flapping: tracked.state.isFlapping, announced: tracked.announced,
            silenced: heldBy != nil, acknowledged: false)
        if announcement == .lateFire {
            next.alerts[key]?.announced = announced
            next.alerts[key]?.state.lastNotified = now
            next.alerts[key]?.channels = settings.destinations(of: key, severity: tracked.signal.severity, at: now)
            if let announcedNow = next.alerts[key] {
                let fire = lateFire(key, announcedNow, now: now, settings: settings)
                notifications.append(fire)
                if settings.escalation.isOn { next.alerts[key]?.escalation = EscalationState(announcedBy: fire.id) }
            }
        }
        decisions.append(
            Decision(key: key, observation: .unknown, action: .none, firing: tracked.state.firing, held: false))
    }
    rememberResolved(decided, state: &next, now: now, settings: settings)
    notifications = causeNotes(
        notifications, graph: graph, recovered: recoveredEffects, ended: endedCauses, state: &next, now: now,
        settings: settings)
    // Only the places of containers that still have a key kept: the rest are not needed.
    if !next.places.isEmpty {
        let kept = Set(
            (Array(next.alerts.keys) + Array(next.recentlyResolved.keys)).lazy.filter {
                CauseRules.containerFamilies.contains($0.family)
            }.compactMap(\.entity))
        next.places = next.places.filter { kept.contains($0.key) }
    }
    decisions.sort { $0.key < $1.key }
    notifications += acknowledgementNotes(&next, now: now, settings: settings)
    var escalationsByTier: [Int: Int] = [:]
    if settings.escalation.isOn {
        notifications += escalations(
            &next, now: now, settings: settings, holding: holding, counting: &escalationsByTier)
    }
    let firingKeys = Set(next.alerts.filter(\.value.state.firing).keys)
    next.silences = next.silences.pruned(now: now, firing: firingKeys)
    let (incidents, incidentChanges) = trackIncidents(before: state, after: next, now: now, routes: settings.routes)
    next.incidents = incidents

    // What mirrors state (Alertmanager) sees every announced problem, and a flapping key
    // as firing until it settles; a problem a silence has held from the start stays out.
    let firing = next.alerts.filter { $0.value.announced && ($0.value.state.firing || $0.value.state.isFlapping) }
        .sorted { $0.key < $1.key }
        .map { key, tracked in fireNotification(key, tracked, now: now, settings: settings) }

    // What is over goes first: when the Docker daemon comes back, `docker_unreachable`'s
    // resolve must reach the chat before the containers found dead meanwhile, or the
    // reader takes the new alerts for more of the same outage. Key order otherwise.
    var ordered = notifications.filter(\.endsProblem) + notifications.filter { !$0.endsProblem }
    if let base = settings.publicURL, let secret = next.ackSecret {
        for index in ordered.indices {
            ordered[index].ackLink = ackLink(for: ordered[index], state: next, base: base, secret: secret)
        }
    }

    var evaluation = TickEvaluation(
        decisions: decisions, notifications: ordered, firing: firing, silencedByFamily: silencedByFamily,
        overLimit: overLimit, state: next)
    evaluation.escalationsByTier = escalationsByTier
    evaluation.inhibitedByFamily = inhibitedByFamily
    evaluation.incidentChanges = incidentChanges
    return evaluation
}

/// A firing key as its fire notification: for the mirror list, and for the late fire
/// after a silence (the same id as the fire it stands for, so it is one transition).
private func fireNotification(_ key: SignalKey, _ tracked: TrackedAlert, now: Date, settings: DecisionSettings)
    -> AlertNotification
{
    // A flapping key between a held resolve and its next fire has no start of its own.
    let since = tracked.state.since ?? tracked.state.flappingSince ?? now
    var fire = AlertNotification(
        id: "\(key)@\(Int(since.timeIntervalSince1970)):fire", action: .fire, severity: tracked.signal.severity,
        family: key.family.rawValue, entity: key.entity, title: tracked.signal.title,
        detail: tracked.signal.detail, instance: settings.instance, startedAt: since, at: now)
    fire.channels = tracked.channels
    return fire
}

/// The fire of a key a silence held, sent when the silence is over: says since when it
/// fires and why it comes now.
private func lateFire(_ key: SignalKey, _ tracked: TrackedAlert, now: Date, settings: DecisionSettings)
    -> AlertNotification
{
    let fire = fireNotification(key, tracked, now: now, settings: settings)
    let note =
        tracked.inhibition.map { settings.texts.heldBehind($0.causes, since: fire.startedAt) }
        ?? settings.texts.firedDuringSilence(since: fire.startedAt)
    var late = AlertNotification(
        id: fire.id, action: .fire, severity: fire.severity, family: fire.family, entity: fire.entity,
        title: fire.title, detail: fire.detail.isEmpty ? note : "\(fire.detail)\n\(note)", instance: fire.instance,
        startedAt: fire.startedAt, at: now)
    late.channels = fire.channels
    return late
}

private func makeNotification(
    _ action: AlertAction, key: SignalKey, signal: Signal?, previous: TrackedAlert?,
    decided: AlertState, now: Date, quiet: Bool, settings: DecisionSettings
) -> AlertNotification? {
    let notificationAction: NotificationAction
    let startedAt: Date
    let shown: Signal
    var detail: String
    switch action {
    case .none:
        return nil
    case .fire:
        guard let signal else { return nil }
        notificationAction = .fire
        startedAt = decided.since ?? now
        shown = signal
        detail = signal.detail
    case .repeat:
        guard let signal else { return nil }
        notificationAction = .repeat
        startedAt = previous?.state.since ?? now
        shown = signal
        detail = signal.detail
    case .resolve:
        guard let last = previous?.signal ?? signal else { return nil }
        notificationAction = .resolve
        startedAt = previous?.state.since ?? now
        shown = last
        detail = signal?.detail ?? settings.texts.vanishedDetail()
    case .flapping:
        guard let last = signal ?? previous?.signal else { return nil }
        notificationAction = .flapping
        startedAt = decided.flappingSince ?? now
        shown = last
        let flap = settings.policies.policy(for: key.family).flap
        detail = settings.texts.flappingDetail(changes: flap?.changes ?? 0, window: flap?.window ?? .zero)
    case .settled:
        guard let last = signal ?? previous?.signal else { return nil }
        notificationAction = .settled
        startedAt = decided.firing ? decided.since ?? now : previous?.state.flappingSince ?? now
        shown = last
        detail = settings.texts.settledDetail(stillFiring: decided.firing, current: signal?.detail ?? "")
    }
    if detail.isEmpty { detail = shown.detail }

    // Stable per key and transition: a re-sent copy of this message has the same id.
    var id = "\(key)@\(Int(startedAt.timeIntervalSince1970)):\(notificationAction.rawValue)"
    if notificationAction == .repeat || notificationAction == .settled { id += "@\(Int(now.timeIntervalSince1970))" }

    return AlertNotification(
        id: id, action: notificationAction, severity: shown.severity, family: key.family.rawValue,
        entity: key.entity, title: shown.title, detail: detail, instance: settings.instance,
        startedAt: startedAt, at: now, quiet: quiet, stillFiring: decided.firing)
}

/// Runs escalation for every announced, firing key (SPEC §4.3) and returns what it sends:
/// per tier, the escalation to the tier's channel and a note in the fire's thread where
/// the channels have threads. `holding` says which silence holds a key, asked only when
/// a tier is due.
private func escalations(
    _ state: inout EngineState, now: Date, settings: DecisionSettings,
    holding: (SignalKey, Severity, SilenceMark?) -> SilenceMark?, counting: inout [Int: Int]
) -> [AlertNotification] {
    let policy = settings.escalation
    var sent: [AlertNotification] = []
    let escalating = state.alerts.filter { $0.value.escalation.map { $0.stopped == nil } ?? false }
    for (key, tracked) in escalating.sorted(by: { $0.key < $1.key }) {
        guard tracked.state.firing, tracked.announced, let current = tracked.escalation else { continue }
        let acknowledged = state.silences.acknowledgements[key] != nil
        // Most ticks nothing falls due: the labels are matched only when something would.
        guard acknowledged || tracked.heldBy != nil || policy.nextAt(current, matches: true).map({ $0 <= now }) == true
        else { continue }
        let labels = SilenceSet.labels(of: key, severity: tracked.signal.severity, instance: settings.instance)
        var (next, steps) = escalate(
            current, policy: policy, now: now, matches: policy.matches(labels), acknowledged: acknowledged,
            silenced: tracked.heldBy != nil, held: tracked.state.isFlapping)
        // A silence is matched only when a tier falls due: most ticks need no matching.
        if !steps.isEmpty, holding(key, tracked.signal.severity, tracked.heldBy) != nil {
            (next, steps) = escalate(
                current, policy: policy, now: now, matches: true, acknowledged: false, silenced: true, held: false)
        }
        state.alerts[key]?.escalation = next
        for step in steps {
            sent += escalation(step, key: key, tracked: tracked, state: next, now: now, settings: settings)
            switch step {
            case .tier(let index): counting[index + 1, default: 0] += 1
            case .reminder: counting[policy.tiers.count, default: 0] += 1
            }
        }
    }
    return sent
}

/// The messages of one escalation step: the escalation itself to the tier's channel and,
/// for a first tier message, a note to the channels the fire went to.
private func escalation(
    _ step: EscalationStep, key: SignalKey, tracked: TrackedAlert, state: EscalationState, now: Date,
    settings: DecisionSettings
) -> [AlertNotification] {
    let policy = settings.escalation
    let index: Int
    switch step {
    case .tier(let tier): index = tier
    case .reminder: index = policy.tiers.count - 1
    }
    let tier = policy.tiers[index]
    let since = tracked.state.since ?? tracked.state.flappingSince ?? now
    let unacknowledged = now.timeIntervalSince(state.deliveredAt ?? now)
    let fireChannels = settings.routes.following(tracked.channels) ?? settings.routes.ordinary
    let toldBefore = fireChannels + state.told.filter { $0 != tier.channel }
    let detail = settings.texts.escalationDetail(
        since: since, unacknowledgedFor: unacknowledged, toldBefore: toldBefore)
    let base = "\(key)@\(Int(since.timeIntervalSince1970)):escalate-\(index + 1)"
    let id = step == .reminder ? "\(base)@\(Int(now.timeIntervalSince1970))" : base
    var message = AlertNotification(
        id: id, action: .escalate, severity: tracked.signal.severity, family: key.family.rawValue, entity: key.entity,
        title: tracked.signal.title,
        detail: tracked.signal.detail.isEmpty ? detail : "\(tracked.signal.detail)\n\(detail)",
        instance: settings.instance, startedAt: since, at: now)
    message.channels = [tier.channel]
    guard step != .reminder else { return [message] }
    var note = AlertNotification(
        id: "\(base):note", action: .escalate, severity: tracked.signal.severity, family: key.family.rawValue,
        entity: key.entity, title: tracked.signal.title,
        detail: settings.texts.escalationNote(to: tier.channel, unacknowledgedFor: unacknowledged),
        instance: settings.instance, startedAt: since, at: now, quiet: true)
    note.channels = fireChannels
    note.threadNote = true
    return [message, note]
}

/// Tells every channel that heard of an acknowledged problem, once, who acknowledged it
/// and when (SPEC §4.3): the channels its fire went to and the tiers it escalated to,
/// quietly; not the chat it was acknowledged in, which said so already.
private func acknowledgementNotes(_ state: inout EngineState, now: Date, settings: DecisionSettings)
    -> [AlertNotification]
{
    var notes: [AlertNotification] = []
    // The acknowledgements are few; the alerts may be thousands.
    for (key, acknowledgement) in state.silences.acknowledgements.sorted(by: { $0.key < $1.key }) {
        guard let tracked = state.alerts[key], tracked.state.firing, tracked.announced, !tracked.acknowledgementTold
        else { continue }
        state.alerts[key]?.acknowledgementTold = true
        let since = tracked.state.since ?? tracked.state.flappingSince ?? now
        var note = AlertNotification(
            id: "\(key)@\(Int(since.timeIntervalSince1970)):acknowledge", action: .acknowledge,
            severity: tracked.signal.severity, family: key.family.rawValue, entity: key.entity,
            title: tracked.signal.title,
            detail: settings.texts.acknowledged(
                by: acknowledgement.by, at: acknowledgement.at, via: acknowledgement.via),
            instance: settings.instance, startedAt: since, at: now, quiet: true)
        note.fireDetail = joined(
            tracked.signal.detail, tracked.effects.map { causeEffectsText($0, texts: settings.texts) } ?? "")
        let told = settings.routes.following(tracked.channels, plus: tracked.escalation?.told ?? [])
        if let via = acknowledgement.via {
            note.channels = (told ?? settings.routes.channels).filter { $0 != via }
        } else {
            note.channels = told
        }
        notes.append(note)
    }
    return notes
}

/// The Ack link of a notification about a problem still firing and not acknowledged.
private func ackLink(for notification: AlertNotification, state: EngineState, base: String, secret: AckSecret)
    -> String?
{
    guard [.fire, .repeat, .escalate].contains(notification.action) || notification.announcesProblem,
        !notification.threadNote, let key = SignalKey(parsing: notification.key),
        let tracked = state.alerts[key], tracked.state.firing, let since = tracked.state.since,
        state.silences.acknowledgements[key] == nil
    else { return nil }
    return AckLink(key: key, started: Int64(since.timeIntervalSince1970.rounded(.down))).url(base: base, secret: secret)
}
