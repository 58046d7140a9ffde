/// The few words every renderer puts around a notification, per language.
public struct RenderStrings: Sendable {
    public let language: Language
    public let fired: String
    public let repeated: String
    public let resolved: String
    public let flapping: String
    public let settled: String
    public let escalated: String
    public let acknowledged: String
    public let alsoAffected: String
    public let report: String
    public let since: String
    public let lasted: String
    public let instance: String

    public static func of(_ language: Language) -> RenderStrings {
        switch language {
        case .en:
            RenderStrings(
                language: language, fired: "FIRING", repeated: "STILL FIRING", resolved: "RESOLVED",
                flapping: "FLAPPING", settled: "SETTLED", escalated: "ESCALATED", acknowledged: "ACKNOWLEDGED",
                alsoAffected: "ALSO AFFECTED", report: "REPORT", since: "since", lasted: "lasted",
                instance: "instance")
        case .ru:
            RenderStrings(
                language: language, fired: "ПРОБЛЕМА", repeated: "ВСЁ ЕЩЁ", resolved: "РЕШЕНО",
                flapping: "FLAPPING (МИГАЕТ)", settled: "SETTLED (УСПОКОИЛОСЬ)", escalated: "ЭСКАЛАЦИЯ",
                acknowledged: "ПРИНЯТО", alsoAffected: "ТАКЖЕ ЗАТРОНУТО", report: "ОТЧЁТ", since: "с",
                lasted: "длилось", instance: "хост")
        }
    }

    public func word(for action: NotificationAction) -> String {
        switch action {
        case .fire: fired
        case .repeat: repeated
        case .resolve: resolved
        case .flapping: flapping
        case .settled: settled
        case .escalate: escalated
        case .acknowledge: acknowledged
        case .effects: alsoAffected
        case .report: report
        }
    }

    /// The headline of a digest message.
    public func digest(count: Int) -> String {
        switch language {
        case .en: "\(count) notifications"
        case .ru: "уведомлений: \(count)"
        }
    }

    /// The last line of a digest that could not list every key.
    public func digestMore(_ count: Int) -> String {
        switch language {
        case .en: "… and \(count) more: GET /alerts on the watchdog's endpoint lists every firing key"
        case .ru: "… и ещё \(count): все срабатывающие ключи — GET /alerts на эндпоинте watchdog"
        }
    }

    /// The buttons of a fire message (SPEC §13).
    public var ackButton: String {
        switch language {
        case .en: "👍 Ack"
        case .ru: "👍 Принято"
        }
    }

    public var silenceHourButton: String {
        switch language {
        case .en: "🔕 Silence 1h"
        case .ru: "🔕 Тишина 1ч"
        }
    }

    public var silenceDayButton: String {
        switch language {
        case .en: "🔕 Silence 1d"
        case .ru: "🔕 Тишина 1д"
        }
    }

    /// The headline of `watchdog test-notify`.
    public var testMessage: String {
        switch language {
        case .en: "Test message from watchdog: this channel works."
        case .ru: "Проверка от watchdog: канал работает."
        }
    }
}
