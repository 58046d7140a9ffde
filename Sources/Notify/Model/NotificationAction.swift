/// The transition a notification announces.
public enum NotificationAction: String, Sendable, Codable, CaseIterable {
    /// A problem started (or, for edge signals, happened).
    case fire
    /// A problem is still there after the cooldown.
    case `repeat`
    /// A problem is over.
    case resolve

    /// The icon that leads every rendered message (SPEC §5).
    public var icon: String {
        switch self {
        case .fire: "🔴"
        case .repeat: "🔁"
        case .resolve: "🟢"
        }
    }
}
