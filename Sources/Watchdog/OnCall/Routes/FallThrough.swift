import FoundationEssentials
import Notify

/// What `check-config` says of the routes (SPEC §4.3): each route, and per severity the
/// times of the week when no routed channel takes the alerts, which then fall through.
extension RouteTable {
    static let minutesPerWeek = 7 * 1_440

    /// The lines for `check-config`, for the week that contains `now`; nothing without routes.
    public func report(now: Date) -> [String] {
        guard !routes.isEmpty else { return [] }
        var lines: [String] = []
        for route in routes {
            lines.append(
                "route \(route.channel) (\(route.variable)): \(route.entries.map(\.text).joined(separator: "; "))")
        }
        let zone = displayZone
        let target =
            unrouted.isEmpty
            ? "every channel (\(ordinary.joined(separator: ", ")))"
            : "the channels without a route (\(unrouted.joined(separator: ", ")))"
        for severity in Severity.allCases.reversed() {
            let runs = fallThroughRuns(severity, weekOf: now, zone: zone)
            let when = runs.isEmpty ? "never" : runs.joined(separator: ", ") + " \(zone.name)"
            lines.append("  \(severity.rawValue) alerts no route takes, sent to \(target): \(when)")
        }
        if routes.contains(where: { $0.entries.contains(where: \.dependsOnTheAlert) }) {
            lines.append(
                "  (entries that take some keys or labels only do not count above: such alerts may fall through more often)"
            )
        }
        return lines
    }

    /// The zone the times are shown in: the routes' own when they all use one, else UTC.
    var displayZone: ZoneRules {
        let zones = routes.flatMap(\.entries).compactMap(\.schedule?.zone)
        guard let first = zones.first, zones.allSatisfy({ $0.name == first.name }) else { return .utc }
        return first
    }

    /// Whether a routed channel takes every alert of `severity` announced at `instant`.
    func routedTakesEvery(_ severity: Severity, at instant: Date) -> Bool {
        ordinary.contains { channel in
            route(of: channel)?.entries.contains { ($0.schedule?.covers(instant) ?? true) && $0.takesEvery(severity) }
                ?? false
        }
    }

    /// The stretches of the local week (Monday 00:00 to Monday 00:00 in `zone`) that
    /// contains `now` when alerts of `severity` fall through, as `mon 18:00–tue 09:00`.
    func fallThroughRuns(_ severity: Severity, weekOf now: Date, zone: ZoneRules) -> [String] {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let localDay = Int(CivilTime.floorDivide(seconds &+ Int64(zone.offset(at: seconds)), 86_400))
        let monday = Int64(localDay - CivilTime.weekday(ofDays: localDay)) * 86_400
        var fallsThrough = [Bool](repeating: false, count: Self.minutesPerWeek)
        for minute in 0..<Self.minutesPerWeek {
            let instant = zone.instant(ofLocal: monday + Int64(minute) * 60)
            fallsThrough[minute] = !routedTakesEvery(severity, at: Date(timeIntervalSince1970: Double(instant)))
        }
        return Self.runs(fallsThrough).map { Self.describe(from: $0.start, to: $0.end) }
    }

    /// The runs of `true`, as [start, end) minutes of the week; a run through the end of
    /// the week that goes on at its start is one run.
    static func runs(_ minutes: [Bool]) -> [(start: Int, end: Int)] {
        var runs: [(start: Int, end: Int)] = []
        var start: Int?
        for (minute, on) in minutes.enumerated() {
            if on, start == nil { start = minute }
            if !on, let begun = start {
                runs.append((begun, minute))
                start = nil
            }
        }
        if let begun = start { runs.append((begun, minutes.count)) }
        if runs.count > 1, let first = runs.first, let last = runs.last, first.start == 0, last.end == minutes.count {
            runs.removeFirst()
            runs[runs.count - 1].end = minutes.count + first.end
        }
        return runs
    }

    /// `mon 18:00–tue 09:00`, `sat 00:00–24:00`, or `always` for the whole week.
    static func describe(from start: Int, to end: Int) -> String {
        if start == 0 && end == minutesPerWeek { return "always" }
        let days = MaintenanceParser.dayNames
        func time(_ minute: Int) -> String {
            let inDay = minute % 1_440
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            return "\(two(inDay / 60)):\(two(inDay % 60))"
        }
        let startDay = (start / 1_440) % 7
        // An end on a midnight is that day's 24:00.
        let endDay = ((end - 1) / 1_440) % 7
        let endTime = end % 1_440 == 0 ? "24:00" : time(end)
        if startDay == endDay && end - start <= 1_440 {
            return "\(days[startDay]) \(time(start))–\(endTime)"
        }
        return "\(days[startDay]) \(time(start))–\(days[endDay]) \(endTime)"
    }
}
