import FoundationEssentials
import Notify

/// When scheduled reports are due (`WATCHDOG_REPORT`, SPEC §14): `;`-separated
/// `DAYS HH:MM [ZONE]`, the days and zones of the maintenance windows' syntax with one
/// time instead of a window. A local time the clock skips is the moment of the jump; one
/// it passes twice is the first.
public struct ReportSchedule: Sendable, Equatable {
    public struct Time: Sendable, Equatable {
        /// The entry as written, for `check-config`.
        public let text: String
        /// 0 = Monday … 6 = Sunday.
        let weekdays: Set<Int>
        /// Minutes after local midnight.
        let minute: Int
        let zone: ZoneRules

        /// The scheduled instant on local day `day` (days since 1970), if it is one of the days.
        func instant(onLocalDay day: Int) -> Date? {
            guard weekdays.contains(CivilTime.weekday(ofDays: day)) else { return nil }
            return Date(timeIntervalSince1970: Double(zone.instant(ofLocal: Int64(day) * 86_400 + Int64(minute) * 60)))
        }

        /// Its first instant after `now`.
        func next(after now: Date) -> Date? {
            let today = localDay(of: now)
            return (today - 1...today + 8).lazy.compactMap { instant(onLocalDay: $0) }.first { $0 > now }
        }

        func localDay(of date: Date) -> Int {
            let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
            return Int(CivilTime.floorDivide(seconds &+ Int64(zone.offset(at: seconds)), 86_400))
        }
    }

    public let times: [Time]

    public init(times: [Time] = []) {
        self.times = times
    }

    public var isEmpty: Bool { times.isEmpty }

    /// The last scheduled instant at or before `now`, within the last eight days (every
    /// day set recurs within a week).
    public func latest(atOrBefore now: Date) -> Date? {
        times.compactMap { time in
            let today = time.localDay(of: now)
            return (today - 8...today + 1).reversed().lazy.compactMap { time.instant(onLocalDay: $0) }
                .first { $0 <= now }
        }.max()
    }

    /// The first scheduled instant after `now`.
    public func next(after now: Date) -> Date? {
        times.compactMap { $0.next(after: now) }.min()
    }

    /// What `check-config` says of each time: the entry and its next occurrence, in UTC
    /// and in its zone.
    public func describe(now: Date) -> [String] {
        times.enumerated().map { number, time in
            let when = time.next(after: now).map { date in
                let utc = date.formatted(.iso8601)
                return time.zone.name == "UTC" ? utc : "\(utc) (\(time.zone.localText(date)) \(time.zone.name))"
            }
            return "report \(number + 1): \(time.text), next \(when ?? "never")"
        }
    }

    static let maximumEntries = 20

    /// The times, or one message per bad entry (`entry 2 "…": …`).
    static func parse(_ text: String, zoneDirectory: String) -> (schedule: ReportSchedule, problems: [String]) {
        let entries = text.split(separator: ";").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard entries.count <= maximumEntries else {
            return (ReportSchedule(), ["\(entries.count) entries; at most \(maximumEntries)"])
        }
        var times: [Time] = []
        var problems: [String] = []
        for (index, entry) in entries.enumerated() {
            do throws(SilenceError) {
                times.append(try time(entry, zoneDirectory: zoneDirectory))
            } catch {
                problems.append("entry \(index + 1) \"\(entry.prefix(120))\": \(error.description)")
            }
        }
        return (ReportSchedule(times: times), problems)
    }

    private static func time(_ entry: String, zoneDirectory: String) throws(SilenceError) -> Time {
        guard entry.utf8.count <= 200 else { throw SilenceError("longer than 200 bytes") }
        let words = entry.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard (2...3).contains(words.count) else {
            throw SilenceError("expected DAYS HH:MM [ZONE], e.g. mon-fri 09:00")
        }
        let weekdays = try MaintenanceParser.days(words[0])
        guard let minute = MaintenanceParser.minutes(Substring(words[1]), allowing24: false) else {
            throw SilenceError("time \"\(words[1].prefix(20))\" is not HH:MM (00:00 to 23:59)")
        }
        var zone = ZoneRules.utc
        if words.count == 3 {
            do {
                zone = try ZoneRules.load(words[2], directory: zoneDirectory)
            } catch {
                throw SilenceError(error.description)
            }
        }
        return Time(text: entry, weekdays: weekdays, minute: minute, zone: zone)
    }
}

/// Where the scheduled reports stand, kept in the state file so that a restart neither
/// repeats nor skips one (SPEC §14).
public struct ReportMemory: Sendable, Codable, Equatable {
    /// The scheduled time of the last report sent (or passed over at the first start).
    public var lastScheduled: Date
    /// Where the next report's period starts: the last report, or the first start.
    public var periodStart: Date

    public init(lastScheduled: Date, periodStart: Date) {
        self.lastScheduled = lastScheduled
        self.periodStart = periodStart
    }
}

/// A report to send now: its period and whether it is late.
public struct ReportDue: Sendable, Equatable {
    public let scheduled: Date
    public let from: Date
    public let to: Date
    /// Sent after the watchdog was down at its time: the message says so.
    public let late: Bool
}

extension ReportSchedule {
    /// What is due at `now` given where reports stand (pure). At the first start (no
    /// memory, or reports were off) nothing is due: the time just passed is not this run's, and the first
    /// report covers the run from `now`. One report per scheduled time; several passed
    /// while the watchdog was down make one late report. `lateAfter`: how long after its
    /// time a report is still on time (a tick or two).
    public func due(memory: ReportMemory?, now: Date, lateAfter: TimeInterval) -> (
        due: ReportDue?, memory: ReportMemory?
    ) {
        // Reports switched off forget where they stood: switched on again, they start
        // afresh rather than send a late one for the time they were off.
        guard !isEmpty else { return (nil, nil) }
        let latest = latest(atOrBefore: now)
        guard let memory else {
            return (nil, ReportMemory(lastScheduled: latest ?? now, periodStart: now))
        }
        guard let latest, latest > memory.lastScheduled else { return (nil, memory) }
        let due = ReportDue(
            scheduled: latest, from: memory.periodStart, to: now, late: now.timeIntervalSince(latest) > lateAfter)
        return (due, ReportMemory(lastScheduled: latest, periodStart: now))
    }
}
