import FoundationEssentials
import Notify

extension HistorySummary {
    /// The summary in words, one fact per line: counts, the longest, the keys that fired
    /// most, the means. What the report and the chat's `/history` both say; `shown` makes
    /// outside text (keys) safe for where the lines go.
    func lines(_ texts: Texts, shown: (String) -> String = { $0 }) -> [String] {
        var lines = [texts.historyCounts(self)]
        if !longest.isEmpty {
            lines.append(
                texts.historyLongest(
                    longest.map { entry in
                        let duration = DurationText.format(seconds: Double(entry.durationS))
                        return "\(shown(entry.key)) (\(entry.open ? texts.historyOpenFor(duration) : duration))"
                    }))
        }
        if !noisiest.isEmpty {
            lines.append(texts.historyNoisiest(noisiest.map { "\(shown($0.key)) ×\($0.incidents)" }))
        }
        lines.append(
            texts.historyMeans(
                acknowledge: meanTimeToAcknowledgeS.map { DurationText.format(seconds: Double($0)) },
                resolve: meanTimeToResolveS.map { DurationText.format(seconds: Double($0)) },
                acknowledged: acknowledged, of: incidents))
        return lines
    }
}

/// Labels a report is routed by (SPEC §14: "routed like a warning").
let reportFamily = "watchdog_report"

/// The scheduled report due now (SPEC §14), as a quiet warning-severity notification to
/// the channels a warning goes to. Pure: the incidents kept, the state after the tick.
func reportNotification(
    _ due: ReportDue, incidents: [Incident], state: EngineState, settings: DecisionSettings
) -> AlertNotification {
    let texts = settings.texts
    let (from, to) = (ConsoleRenderer.timestamp(due.from), ConsoleRenderer.timestamp(due.to))
    let summary = HistorySummary.of(incidents, from: due.from, to: due.to)
    var lines: [String] = []
    if due.late { lines.append(texts.reportLate(scheduled: ConsoleRenderer.timestamp(due.scheduled))) }
    if summary.isQuiet {
        lines.append(texts.reportAllQuiet(from: from, to: to))
    } else {
        lines.append(texts.reportPeriod(from: from, to: to))
        lines += summary.lines(texts)
        let firing = state.alerts.filter { $0.value.state.firing || $0.value.state.isFlapping }
            .sorted { ($0.value.signal.severity, $1.key) > ($1.value.signal.severity, $0.key) }
        if firing.isEmpty {
            lines.append(texts.reportNothingFires())
        } else {
            lines.append(
                texts.reportFiringNow(
                    firing.prefix(10).map { "\($0.key) (\($0.value.signal.severity.rawValue))" },
                    more: firing.count - min(firing.count, 10)))
        }
        let silences = silencesInForce(configured: settings.silences, book: state.silences, now: due.to)
        if !silences.isEmpty {
            lines.append(
                texts.reportSilences(
                    silences.prefix(5).map { silence in
                        "\(silence.id) (\(silence.matchers.map(\.description).joined(separator: ",").prefix(80)))"
                    }, more: silences.count - min(silences.count, 5)))
        }
    }
    var report = AlertNotification(
        id: "report@\(Int(due.scheduled.timeIntervalSince1970))", action: .report, severity: .warning,
        family: reportFamily, entity: nil,
        title: texts.reportTitle(
            instance: settings.instance, period: DurationText.format(seconds: due.to.timeIntervalSince(due.from))),
        detail: lines.joined(separator: "\n"), instance: settings.instance, startedAt: due.from, at: due.to,
        quiet: true)
    report.channels = settings.routes.destinations(
        for: ["alertname": reportFamily, "instance": settings.instance, "severity": Severity.warning.rawValue],
        at: due.to)
    return report
}
