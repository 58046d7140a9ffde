/// The transition a notification announces.
public enum NotificationAction: String, Sendable, Codable, CaseIterable {
    /// A problem started (or, for edge signals, happened).
    case fire
    /// A problem is still there after the cooldown.
    case `repeat`
    /// A problem is over.
    case resolve
    /// A key changes state so often that its messages are held until it is stable.
    case flapping
    /// A flapping key has been stable for a whole window; says where it ended.
    case settled
    /// Nobody acknowledged a problem in time: it goes to the next on-call tier (SPEC §4.3).
    case escalate
    /// Someone acknowledged a firing problem: the channels that were told hear who (SPEC §4.3).
    case acknowledge
    /// A cause gained effects since it was announced (SPEC §4.2): its fire is rewritten
    /// where the channel can edit, a short follow-up says what was added elsewhere.
    case effects
    /// A scheduled summary of the incident log (SPEC §14): no key, no problem of its own.
    case report

    /// The icon that leads every rendered message (SPEC §5).
    public var icon: String {
        switch self {
        case .fire: "🔴"
        case .repeat: "🔁"
        case .resolve: "🟢"
        case .flapping: "🟠"
        case .settled: "⚪"
        case .escalate: "⏫"
        case .acknowledge: "👍"
        case .effects: "🔗"
        case .report: "📋"
        }
    }
}
