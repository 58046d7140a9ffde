import FoundationEssentials
import Notify

/// One recurring window of `WATCHDOG_MAINTENANCE` (SPEC §4.1): a stretch of the week
/// (`WeeklyWindow`) silencing the alerts its matchers take.
public struct MaintenanceWindow: Sendable, Equatable {
    /// 1-based position in the variable, for ids and messages.
    public let number: Int
    /// The entry as written, for `check-config`.
    public let text: String
    public let schedule: WeeklyWindow
    /// The window as a silence, made (and so checked) once when the variable is read;
    /// each occurrence is this with its own times.
    let template: Silence

    var weekdays: Set<Int> { schedule.weekdays }
    var start: Int { schedule.start }
    var end: Int { schedule.end }
    public var zoneName: String { schedule.zoneName }

    public typealias Occurrence = WeeklyWindow.Occurrence

    public func occurrence(containing now: Date) -> Occurrence? { schedule.occurrence(containing: now) }

    public func upcoming(after now: Date, count: Int) -> [Occurrence] { schedule.upcoming(after: now, count: count) }

    public func utcAndLocal(_ date: Date) -> String { schedule.utcAndLocal(date) }

    /// The window in force at `now` as a silence (of origin `schedule`).
    func silence(at now: Date) -> Silence? {
        occurrence(containing: now).map(silence)
    }

    /// The window as the API lists it: its current occurrence, else its next (pending).
    func listed(at now: Date) -> Silence {
        silence(at: now) ?? silence(upcoming(after: now, count: 1).first ?? Occurrence(start: now, end: now))
    }

    private func silence(_ occurrence: Occurrence) -> Silence {
        var silence = template
        silence.startsAt = occurrence.start
        silence.endsAt = occurrence.end
        silence.updatedAt = occurrence.start
        return silence
    }

    /// The silence every occurrence of window `number` is, checked as any silence is.
    static func template(number: Int, text: String, matchers: [LabelMatcher]) throws(SilenceError) -> Silence {
        let origin = Date(timeIntervalSince1970: 0)
        return try Silence(
            id: "maintenance-\(number)", matchers: matchers, startsAt: origin, endsAt: nil,
            createdBy: "WATCHDOG_MAINTENANCE", comment: "maintenance window: \(text)", origin: .schedule,
            updatedAt: origin)
    }
}
