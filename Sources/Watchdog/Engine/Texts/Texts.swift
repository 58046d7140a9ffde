import FoundationEssentials
import Notify

/// Every user-facing sentence the watchdog writes, in each language of SPEC §6.
///
/// Both languages sit side by side in each function so a new text cannot be added in
/// one language only.
public struct Texts: Sendable, Equatable {
    public let language: Language

    public init(_ language: Language) {
        self.language = language
    }

    /// The sentence in the configured language; every text passes both.
    func pick(en: String, ru: String) -> String {
        switch language {
        case .en: en
        case .ru: ru
        }
    }

    // MARK: the watchdog itself

    func collectorFailedTitle(source: String) -> String {
        pick(en: "Check \(source) is failing", ru: "Проверка \(source) не работает")
    }

    func collectorFailedDetail(ticks: Int, error: String) -> String {
        pick(
            en: "failed \(ticks) ticks in a row: \(error)",
            ru: "ошибка \(ticks) раз подряд: \(error)")
    }

    func collectorRecoveredDetail() -> String {
        pick(en: "the check works again", ru: "проверка снова работает")
    }

    /// Resolve detail for a key whose source stopped reporting it (a removed container,
    /// a finished process).
    func vanishedDetail() -> String {
        pick(en: "no longer present", ru: "больше не наблюдается")
    }

    /// The numbers of a "how full is it" message, formatted the same way in every language.
    struct UsageFigures {
        let used: String
        let threshold: String
        let free: String
        let total: String

        init(usedPercent: Double, thresholdPercent: Double, freeBytes: UInt64, totalBytes: UInt64) {
            used = Texts.percent(usedPercent)
            threshold = Texts.percent(thresholdPercent)
            free = ByteText.format(freeBytes)
            total = ByteText.format(totalBytes)
        }
    }

    static func percent(_ value: Double) -> String {
        // CloudWatch's averages come from outside: a value beyond Int is printed as it is.
        let rounded = (value * 10).rounded() / 10
        return Int(exactly: rounded).map { "\($0)%" } ?? "\(rounded)%"
    }
}

extension Texts {
    // MARK: flapping and silences (SPEC §4, §4.1)

    func flappingDetail(changes: Int, window: Duration) -> String {
        let span = DurationText.format(seconds: window.seconds)
        return pick(
            en: "changed state \(changes) times within \(span); its messages are held until it is stable for \(span)",
            ru:
                "состояние менялось \(changes) раз за \(span); сообщения придержаны, пока оно не будет стабильно \(span)"
        )
    }

    func settledDetail(stillFiring: Bool, current: String) -> String {
        let state =
            stillFiring
            ? pick(en: "stable again, still firing", ru: "снова стабильно, проблема остаётся")
            : pick(en: "stable again, resolved", ru: "снова стабильно, проблема решена")
        return current.isEmpty ? state : "\(state): \(current)"
    }

    /// The line an escalation adds (SPEC §4.3): since when, how long unacknowledged, who
    /// was told before.
    func escalationDetail(since: Date, unacknowledgedFor seconds: TimeInterval, toldBefore: [String]) -> String {
        let waited = DurationText.format(seconds: max(0, seconds))
        let told = toldBefore.isEmpty ? "—" : toldBefore.joined(separator: ", ")
        return pick(
            en:
                "escalated: nobody acknowledged it for \(waited) (firing since \(ConsoleRenderer.timestamp(since))); told before: \(told)",
            ru:
                "эскалация: никто не подтвердил за \(waited) (срабатывает с \(ConsoleRenderer.timestamp(since))); уже сообщено: \(told)"
        )
    }

    /// The note in the fire's thread: who the escalation went to.
    func escalationNote(to channel: String, unacknowledgedFor seconds: TimeInterval) -> String {
        let waited = DurationText.format(seconds: max(0, seconds))
        return pick(
            en: "escalated to \(channel): nobody acknowledged it for \(waited)",
            ru: "эскалация на \(channel): никто не подтвердил за \(waited)")
    }

    /// Who acknowledged a problem, when, and from where (SPEC §4.3).
    func acknowledged(by: String, at: Date, via: String?) -> String {
        let from = via.map { " (\($0))" } ?? ""
        return pick(
            en: "acknowledged by \(by)\(from) at \(ConsoleRenderer.timestamp(at))",
            ru: "принято: \(by)\(from), \(ConsoleRenderer.timestamp(at))")
    }

    func firedDuringSilence(since: Date) -> String {
        pick(
            en: "firing since \(ConsoleRenderer.timestamp(since)); held by a silence until now",
            ru: "срабатывает с \(ConsoleRenderer.timestamp(since)); до сих пор было заглушено")
    }
}
