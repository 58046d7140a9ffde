import FoundationEssentials
import Watchdog

/// The human-readable form of a tick report, for `watchdog once` without `--json`.
enum OnceText {
    static func render(_ report: TickReport) -> String {
        var lines = ["tick at \(report.time.formatted(.iso8601)) on \(report.instance)", "", "collectors:"]
        for collector in report.collectors {
            var line = "  \(pad(collector.name, 24)) \(pad(collector.status, 9)) \(collector.durationMs) ms"
            if let error = collector.error { line += "  \(error)" }
            lines.append(line)
        }
        lines.append("")
        lines.append("signals:")
        for signal in report.signals {
            let state = signal.active ? "ACTIVE" : "ok"
            lines.append("  \(pad(signal.key.description, 24)) \(pad(state, 9)) \(signal.detail)")
        }
        lines.append("")
        lines.append("decisions:")
        for decision in report.decisions {
            var line =
                "  \(pad(decision.key.description, 24)) \(pad(decision.observation.rawValue, 9))"
                + " -> \(decision.action.rawValue)"
            if decision.held { line += " (held)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
