import FoundationEssentials
import Notify

/// `WATCHDOG_ROUTE_<NAME>` (SPEC §4.3): when channel `<name>` takes which alerts. The
/// channel takes an alert when any entry covers the time its fire is announced and
/// matches its labels.
public struct ChannelRoute: Sendable, Equatable {
    /// The channel's name, lower-cased as `WATCHDOG_NOTIFY_<NAME>` names it; `alertmanager`
    /// is every member of an Alertmanager cluster.
    public let channel: String
    /// The variable it was read from, for messages.
    public let variable: String
    public let entries: [RouteEntry]

    public init(channel: String, variable: String, entries: [RouteEntry]) {
        self.channel = channel
        self.variable = variable
        self.entries = entries
    }

    func takes(_ labels: [String: String], at now: Date) -> Bool {
        entries.contains { $0.takes(labels, at: now) }
    }

    /// Whether this channel's route takes the channel named `name`: its own, or an
    /// Alertmanager cluster member's (`alertmanager-2`) for `alertmanager`.
    func routes(_ name: String) -> Bool {
        name == channel || (channel == "alertmanager" && name.hasPrefix("alertmanager-"))
    }
}

/// One entry of a route: a window of the week (nil: `always`) and what it takes.
public struct RouteEntry: Sendable, Equatable {
    /// As written, for `check-config`.
    public let text: String
    public let schedule: WeeklyWindow?
    let matchers: [LabelMatcher]

    func takes(_ labels: [String: String], at now: Date) -> Bool {
        (schedule?.covers(now) ?? true) && matchers.allSatisfy { CompiledMatcher($0).matches(labels) }
    }

    /// Whether the entry takes every alert of `severity` whatever its other labels: its
    /// matchers are `*` or ask the severity only. Anything else depends on the alert.
    func takesEvery(_ severity: Severity) -> Bool {
        matchers.allSatisfy { matcher in
            if matcher.name == "severity" { return CompiledMatcher(matcher).matches(["severity": severity.rawValue]) }
            return matcher == LabelMatcher.everything
        }
    }
}

extension RouteEntry {
    /// Whether what it takes depends on more than the severity: keys, families, labels.
    var dependsOnTheAlert: Bool {
        matchers.contains { $0.name != "severity" && $0 != LabelMatcher.everything }
    }
}

extension LabelMatcher {
    /// `*`: every alert has a key, and no key is empty.
    static let everything = LabelMatcher(unchecked: "key", .matchesRegex, ".+")
}

/// Reads one route variable strictly, as `WATCHDOG_MAINTENANCE` is read, with `always`.
enum RouteParser {
    static func parse(_ text: String, zoneDirectory: String) -> (entries: [RouteEntry], problems: [String]) {
        let entries = text.split(separator: ";").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard entries.count <= MaintenanceParser.maximumEntries else {
            return ([], ["\(entries.count) entries; at most \(MaintenanceParser.maximumEntries)"])
        }
        var parsed: [RouteEntry] = []
        var problems: [String] = []
        for (index, entry) in entries.enumerated() {
            do throws(SilenceError) {
                let (schedule, matchers) = try MaintenanceParser.scheduledEntry(
                    entry, zoneDirectory: zoneDirectory, allowingAlways: true)
                parsed.append(RouteEntry(text: entry, schedule: schedule, matchers: matchers))
            } catch {
                problems.append("entry \(index + 1) \"\(entry.prefix(120))\": \(error.description)")
            }
        }
        if entries.isEmpty { problems.append("no entry: write always *, or DAYS HH:MM-HH:MM [ZONE] MATCHER") }
        return (parsed, problems)
    }
}
