import FoundationEssentials
import Notify

/// A recurring stretch of the week in a zone: on some days, from a local time to another
/// (across midnight when the end is not after the start). What a maintenance window
/// (SPEC §4.1) and a route entry (§4.3) share. The days are those the window starts on.
///
/// Local times are turned into instants with the zone's own rules: a start or end the
/// clock skips (02:30 on the night it jumps from 02:00 to 03:00) is the moment of the
/// jump; one that happens twice (the clock goes back) is its first occurrence.
public struct WeeklyWindow: Sendable, Equatable {
    /// 0 = Monday … 6 = Sunday.
    let weekdays: Set<Int>
    /// Minutes after local midnight; `end` may be 1440 (24:00).
    let start: Int
    let end: Int
    let zone: ZoneRules

    public var zoneName: String { zone.name }

    /// An occurrence: its start and end instants.
    public struct Occurrence: Sendable, Equatable {
        public let start: Date
        public let end: Date
    }

    /// The occurrence of the window that starts on local day `day` (days since 1970), if
    /// the window runs that day.
    func occurrence(onLocalDay day: Int) -> Occurrence? {
        guard weekdays.contains(CivilTime.weekday(ofDays: day)) else { return nil }
        let endDay = end <= start ? day + 1 : day
        let startInstant = zone.instant(ofLocal: Int64(day) * 86_400 + Int64(start) * 60)
        let endInstant = zone.instant(ofLocal: Int64(endDay) * 86_400 + Int64(end) * 60)
        return Occurrence(
            start: Date(timeIntervalSince1970: Double(startInstant)),
            end: Date(timeIntervalSince1970: Double(endInstant)))
    }

    private func localDay(of date: Date) -> Int {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return Int(CivilTime.floorDivide(seconds &+ Int64(zone.offset(at: seconds)), 86_400))
    }

    /// The occurrence that covers `now`, if any.
    public func occurrence(containing now: Date) -> Occurrence? {
        let today = localDay(of: now)
        return (today - 1...today).lazy.compactMap { occurrence(onLocalDay: $0) }
            .first { $0.start <= now && now < $0.end }
    }

    public func covers(_ now: Date) -> Bool { occurrence(containing: now) != nil }

    /// The current or next occurrences that have not ended at `now`, soonest first.
    public func upcoming(after now: Date, count: Int) -> [Occurrence] {
        let today = localDay(of: now)
        // A week and a day holds the next occurrence of any day set.
        let horizon = today + 7 * max(1, count) + 1
        return Array(
            (today - 1...horizon).lazy.compactMap { occurrence(onLocalDay: $0) }.filter { $0.end > now }
                .filter { $0.end > $0.start }.prefix(count))
    }

    /// `2027-03-28T01:00:00Z (03:00 Europe/Berlin)`: how `check-config` shows an instant.
    public func utcAndLocal(_ date: Date) -> String {
        let utc = date.formatted(.iso8601)
        guard zone.name != "UTC" else { return utc }
        return "\(utc) (\(zone.localText(date)) \(zone.name))"
    }
}

extension ZoneRules {
    /// `2027-03-28 03:00`: the local date and time of an instant in this zone.
    func localText(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let local = seconds &+ Int64(offset(at: seconds))
        let day = CivilTime.date(fromDays: Int(CivilTime.floorDivide(local, 86_400)))
        let minuteOfDay = Int(local - CivilTime.floorDivide(local, 86_400) * 86_400) / 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day.year)-\(two(day.month))-\(two(day.day)) \(two(minuteOfDay / 60)):\(two(minuteOfDay % 60))"
    }
}
