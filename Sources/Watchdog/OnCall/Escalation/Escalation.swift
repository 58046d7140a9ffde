import FoundationEssentials
import Notify

/// Where one problem's escalation stands (SPEC §4.3), kept with its key in the state
/// file, so a restart or a reload neither resets it nor sends a tier twice. Its instants
/// are rebased and moved with the wall clock's steps like every other instant the engine
/// keeps.
public struct EscalationState: Sendable, Codable, Equatable {
    /// The id of the notification that announced the problem: a delivery report naming
    /// it starts the timers.
    public var announcedBy: String
    /// When that notification was first delivered, to any channel; nil until then.
    public var deliveredAt: Date?
    /// How many tiers were told, in order, each once.
    public var tiersSent: Int
    /// When a tier or a reminder was last sent.
    public var lastSentAt: Date?
    /// The tier channels told so far: they hear of the acknowledgement and the resolve.
    public var told: [String]
    /// Why it ended before the problem did, if it did.
    public var stopped: Stop?

    public enum Stop: String, Sendable, Codable {
        case acknowledged
        case silenced
    }

    public init(
        announcedBy: String, deliveredAt: Date? = nil, tiersSent: Int = 0, lastSentAt: Date? = nil,
        told: [String] = [], stopped: Stop? = nil
    ) {
        self.announcedBy = announcedBy
        self.deliveredAt = deliveredAt
        self.tiersSent = tiersSent
        self.lastSentAt = lastSentAt
        self.told = told
        self.stopped = stopped
    }
}

/// What escalation sends for a key this tick.
enum EscalationStep: Sendable, Equatable {
    /// The tier at this index of `EscalationPolicy.tiers`, for the first time.
    case tier(Int)
    /// The last tier again: nobody has acknowledged since.
    case reminder
}

/// What a key does about being unacknowledged (SPEC §4.3). Pure; the tick passes what
/// it knows of the key:
///
/// - `acknowledged` or `silenced`: a person acted; it stops for this problem.
/// - `held` (flapping, an inhibiting cause): nothing now; the timers go on.
/// - `matches`: `WATCHDOG_ESCALATE_MATCH` takes the key's labels.
///
/// Tiers go out in order, each once, each at the first tick at or after its delay
/// counted from the delivery of the fire (several at once when a downtime passed more
/// than one); the last tier is then reminded every `repeatEvery`.
func escalate(
    _ state: EscalationState, policy: EscalationPolicy, now: Date, matches: Bool, acknowledged: Bool,
    silenced: Bool, held: Bool
) -> (state: EscalationState, steps: [EscalationStep]) {
    var next = state
    guard state.stopped == nil else { return (state, []) }
    if acknowledged {
        next.stopped = .acknowledged
        return (next, [])
    }
    if silenced {
        next.stopped = .silenced
        return (next, [])
    }
    guard !held, matches, policy.isOn, let deliveredAt = state.deliveredAt else { return (state, []) }
    let elapsed = now.timeIntervalSince(deliveredAt)
    var steps: [EscalationStep] = []
    while next.tiersSent < policy.tiers.count, elapsed >= policy.tiers[next.tiersSent].after.seconds {
        steps.append(.tier(next.tiersSent))
        next.told.append(policy.tiers[next.tiersSent].channel)
        next.tiersSent += 1
        next.lastSentAt = now
    }
    if steps.isEmpty, next.tiersSent == policy.tiers.count, let every = policy.repeatEvery,
        let last = next.lastSentAt, now.timeIntervalSince(last) >= every.seconds
    {
        steps.append(.reminder)
        next.lastSentAt = now
    }
    return (next, steps)
}

extension EscalationPolicy {
    /// When the key's next tier or reminder falls due: nil when it is stopped, its fire
    /// was not delivered yet, the match does not take it, or nothing more will be sent.
    func nextAt(_ state: EscalationState, matches: Bool) -> Date? {
        guard isOn, matches, state.stopped == nil, let deliveredAt = state.deliveredAt else { return nil }
        if state.tiersSent < tiers.count { return deliveredAt.addingTimeInterval(tiers[state.tiersSent].after.seconds) }
        guard let every = repeatEvery, let last = state.lastSentAt else { return nil }
        return last.addingTimeInterval(every.seconds)
    }
}

/// A key's escalation as `GET /alerts` shows it (SPEC §4.3, §7).
public struct EscalationView: Sendable, Equatable, Encodable {
    /// How many tiers were told (0: none yet).
    public let tier: Int
    /// The tier channels told, in order.
    public let told: [String]
    /// When the fire was first delivered, from which the timers count.
    public let deliveredAt: Date?
    /// When the next tier or reminder falls due, if one will.
    public let nextAt: Date?
    /// `acknowledged` or `silenced` when it ended before the problem did.
    public let stopped: String?

    enum CodingKeys: String, CodingKey {
        case tier, told, stopped
        case deliveredAt = "delivered_at"
        case nextAt = "next_at"
    }

    init(_ state: EscalationState, policy: EscalationPolicy, matches: Bool) {
        tier = state.tiersSent
        told = state.told
        deliveredAt = state.deliveredAt
        nextAt = policy.nextAt(state, matches: matches)
        stopped = state.stopped?.rawValue
    }
}
