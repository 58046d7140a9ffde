/// The few words every renderer puts around a notification, per language.
public struct RenderStrings: Sendable {
    public let fired: String
    public let repeated: String
    public let resolved: String
    public let since: String
    public let lasted: String
    public let instance: String

    public static func of(_ language: Language) -> RenderStrings {
        switch language {
        case .en:
            RenderStrings(
                fired: "FIRING", repeated: "STILL FIRING", resolved: "RESOLVED", since: "since",
                lasted: "lasted", instance: "instance")
        case .ru:
            RenderStrings(
                fired: "ПРОБЛЕМА", repeated: "ВСЁ ЕЩЁ", resolved: "РЕШЕНО", since: "с",
                lasted: "длилось", instance: "хост")
        }
    }

    public func word(for action: NotificationAction) -> String {
        switch action {
        case .fire: fired
        case .repeat: repeated
        case .resolve: resolved
        }
    }
}
