import FoundationEssentials
import Notify

/// The words of history: the scheduled report and the chat's `/history` (SPEC §14, §13).
/// Arguments are plain text; the chat's lines escape outside text before they get here.
extension Texts {
    func reportTitle(instance: String, period: String) -> String {
        pick(en: "\(instance), the last \(period)", ru: "\(instance), за \(period)")
    }

    func reportLate(scheduled: String) -> String {
        pick(
            en: "⏰ sent late: the watchdog was not running at \(scheduled)",
            ru: "⏰ с опозданием: в \(scheduled) watchdog не работал")
    }

    func reportAllQuiet(from: String, to: String) -> String {
        pick(en: "all quiet from \(from) to \(to): no incidents", ru: "всё спокойно с \(from) до \(to): инцидентов нет")
    }

    func reportPeriod(from: String, to: String) -> String {
        pick(en: "from \(from) to \(to)", ru: "с \(from) до \(to)")
    }

    /// `3 incidents: 1 critical, 2 warning; 1 still open`.
    func historyCounts(_ summary: HistorySummary) -> String {
        let open = summary.open > 0 ? pick(en: "; \(summary.open) still open", ru: "; открыто: \(summary.open)") : ""
        return pick(
            en:
                "\(summary.incidents) incident\(summary.incidents == 1 ? "" : "s"): \(summary.critical) critical, \(summary.warning) warning\(open)",
            ru: "инцидентов: \(summary.incidents) (critical: \(summary.critical), warning: \(summary.warning))\(open)")
    }

    func historyLongest(_ entries: [String]) -> String {
        pick(en: "longest: ", ru: "дольше всех: ") + entries.joined(separator: "; ")
    }

    func historyOpenFor(_ duration: String) -> String {
        pick(en: "\(duration), still open", ru: "\(duration), ещё открыт")
    }

    func historyNoisiest(_ entries: [String]) -> String {
        pick(en: "fired most: ", ru: "чаще всех: ") + entries.joined(separator: ", ")
    }

    func historyMeans(acknowledge: String?, resolve: String?, acknowledged: Int, of count: Int) -> String {
        let none = pick(en: "none acknowledged", ru: "никто не принял")
        let ack = acknowledge.map {
            pick(
                en: "mean time to acknowledge \($0) (\(acknowledged) of \(count))",
                ru: "в среднем до принятия \($0) (\(acknowledged) из \(count))")
        }
        let resolved = resolve.map { pick(en: "to resolve \($0)", ru: "до решения \($0)") }
        return [ack ?? none, resolved].compactMap { $0 }.joined(separator: " · ")
    }

    func reportFiringNow(_ entries: [String], more: Int) -> String {
        let list =
            entries.joined(separator: ", ") + (more > 0 ? pick(en: " and \(more) more", ru: " и ещё \(more)") : "")
        return pick(en: "firing now: ", ru: "горит сейчас: ") + list
    }

    func reportNothingFires() -> String { pick(en: "nothing fires now", ru: "сейчас ничего не горит") }

    func reportSilences(_ entries: [String], more: Int) -> String {
        let list =
            entries.joined(separator: ", ") + (more > 0 ? pick(en: " and \(more) more", ru: " и ещё \(more)") : "")
        return pick(en: "silences in force: ", ru: "действуют тишины: ") + list
    }

    // MARK: the chat's /history

    func chatHistoryHeader(count: Int, period: String, instance: String) -> String {
        pick(
            en: "📋 <b>\(count) incident\(count == 1 ? "" : "s")</b> in the last \(period) on \(instance)",
            ru: "📋 <b>инцидентов: \(count)</b> за \(period) на \(instance)")
    }

    func chatHistoryNone(period: String, instance: String) -> String {
        pick(
            en: "📋 no incidents in the last \(period) on \(instance)",
            ru: "📋 за \(period) на \(instance) инцидентов не было")
    }

    func chatHistoryLasted(_ duration: String) -> String { pick(en: "lasted \(duration)", ru: "длился \(duration)") }
    func chatHistoryOpen(_ duration: String) -> String { pick(en: "open for \(duration)", ru: "открыт \(duration)") }

    func chatHistoryAcknowledged(by: String, after: String) -> String {
        pick(en: "👍 \(by) after \(after)", ru: "👍 \(by) через \(after)")
    }

    func chatHistoryNotAcknowledged() -> String { pick(en: "not acknowledged", ru: "не принят") }

    func chatHistoryMore(_ count: Int) -> String {
        pick(
            en: "… and \(count) more: GET /api/watchdog/history lists them all",
            ru: "… и ещё \(count): все — GET /api/watchdog/history")
    }
}
