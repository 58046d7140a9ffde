import FoundationEssentials
import FoundationGaps
import Notify
import Watchdog

/// `watchdog check-config`: validate the environment and print the settings in force.
///
/// Warnings come first and on stderr, so a typo is the first thing read and not the last
/// line of a long table; a warning makes the exit status 1 (`run` only logs it).
struct CheckConfig {
    func run() async throws {
        let loaded = try await loadResolvedConfigurationOrExit()
        if !loaded.warnings.isEmpty {
            let text = loaded.warnings.map { "warning: \($0)" }.joined(separator: "\n")
            try? OutputDescriptor.standardError.writeLine(text)
        }
        print(Self.report(loaded, now: ProcessClocks.wall()).joined(separator: "\n"))
        if !loaded.warnings.isEmpty { throw ExitStatus(1) }
    }

    /// The settings file, every setting with its value and origin, and the verdict.
    static func report(_ loaded: LoadedConfiguration, now: Date) -> [String] {
        let settings = loaded.effectiveSettings()
        let width = settings.map(\.name.count).max() ?? 0
        var lines = [loaded.environment.settingsFile.description]
        for setting in settings {
            let name = setting.name + String(repeating: " ", count: width - setting.name.count)
            lines.append("\(name) = \(setting.value)  (\(setting.origin))")
        }
        for channel in loaded.configuration.urlChannels {
            // The URL itself is a secret (redacted above): its kind and host only.
            lines.append("channel \(channel.summary) from \(channel.variable)")
        }
        if let ec2 = loaded.configuration.ec2 {
            // AWS's own variables are not in the table above; say what they resolved to.
            lines.append("EC2: region \(ec2.region), endpoints \(ec2.endpoints.joined(separator: ", "))")
        }
        for window in loaded.configuration.maintenance {
            lines.append(contentsOf: Self.describe(window, now: now))
        }
        lines.append(contentsOf: loaded.configuration.reports.describe(now: now))
        lines.append(
            "history: \(loaded.configuration.historyPath ?? "in memory (no state file)"), kept \(DurationText.format(seconds: loaded.configuration.historyKeep.seconds)); status page \(loaded.configuration.statusPage && loaded.configuration.listen != nil ? "at GET /" : "off")"
        )
        let routes = RouteTable(
            channels: ChannelCatalog.names(for: loaded.configuration), routes: loaded.configuration.routes,
            tiers: loaded.configuration.escalation.channels)
        lines.append(contentsOf: routes.report(now: now))
        let count = loaded.warnings.count
        lines.append(
            count == 0
                ? "configuration ok"
                : "configuration valid, with \(count) warning\(count == 1 ? "" : "s") (on stderr, above)")
        return lines
    }

    /// A maintenance window and when it is next in force (SPEC §4.1): the current
    /// occurrence first if it covers `now`, in UTC and in the window's zone.
    static func describe(_ window: MaintenanceWindow, now: Date) -> [String] {
        var lines = ["maintenance \(window.number): \(window.text)"]
        for occurrence in window.upcoming(after: now, count: 2) {
            let label = occurrence.start <= now ? "now, until" : "next"
            let start = occurrence.start <= now ? "" : "\(window.utcAndLocal(occurrence.start)) – "
            lines.append("  \(label) \(start)\(window.utcAndLocal(occurrence.end))")
        }
        return lines
    }
}
