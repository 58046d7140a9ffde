import Foundation
import Notify
import Testing

@testable import Watchdog

/// `WATCHDOG_MAINTENANCE` (SPEC §2.1, §4.1): the strict parser, zoneinfo read like the C
/// library reads it, daylight-saving nights, and windows as silences in the tick.
@Suite struct MaintenanceTests {
    static let zoneInfo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("ZoneInfo")
    static let system = zoneInfo.appendingPathComponent("system").path
    static let slim = zoneInfo.appendingPathComponent("slim").path

    /// An instant from a UTC calendar reading.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        let days = CivilTime.days(from: .init(year: year, month: month, day: day))
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60))
    }

    static func local(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 {
        Int64(utc(year, month, day, hour, minute).timeIntervalSince1970)
    }

    func window(_ text: String, directory: String = MaintenanceTests.system) throws -> MaintenanceWindow {
        try MaintenanceParser.window(text, number: 1, zoneDirectory: directory).get()
    }

    // MARK: calendar and zones

    @Test func civilDatesRoundTripAndKnowTheirWeekday() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilTime.days(from: CivilTime.date(fromDays: days)) == days)
        }
        #expect(CivilTime.date(fromDays: 0) == .init(year: 1970, month: 1, day: 1))
        #expect(CivilTime.weekday(ofDays: 0) == 3)  // a Thursday
        #expect(CivilTime.weekday(ofDays: CivilTime.days(from: .init(year: 2027, month: 3, day: 28))) == 6)
        #expect(CivilTime.date(fromDays: CivilTime.days(from: .init(year: 2028, month: 2, day: 29)) + 1).month == 3)
    }

    @Test(arguments: [MaintenanceTests.system, MaintenanceTests.slim])
    func berlinsOffsetsFromTheFileAndFromItsRule(directory: String) throws {
        let name = directory == Self.system ? "Europe/Berlin" : "Slim/Berlin"
        let zone = try ZoneRules.load(name, directory: directory)
        // Far beyond the fat file's last transition (2037) the footer rule answers.
        for year in [2026, 2027, 2040, 2100] {
            #expect(zone.offset(at: Int64(Self.utc(year, 1, 15, 12).timeIntervalSince1970)) == 3600)
            #expect(zone.offset(at: Int64(Self.utc(year, 7, 15, 12).timeIntervalSince1970)) == 7200)
        }
        // 2027: summer time from March 28 01:00 UTC to October 31 01:00 UTC.
        #expect(zone.offset(at: Self.local(2027, 3, 28, 0, 59) + 59) == 3600)
        #expect(zone.offset(at: Self.local(2027, 3, 28, 1)) == 7200)
        #expect(zone.offset(at: Self.local(2027, 10, 31, 0, 59) + 59) == 7200)
        #expect(zone.offset(at: Self.local(2027, 10, 31, 1)) == 3600)
    }

    @Test func theSouthernHemisphereHasSummerAroundNewYear() throws {
        let sydney = try ZoneRules.load("Australia/Sydney", directory: Self.system)
        #expect(sydney.offset(at: Self.local(2027, 1, 15, 0)) == 11 * 3600)
        #expect(sydney.offset(at: Self.local(2027, 7, 15, 0)) == 10 * 3600)
        let rule = try #require(PosixTimeZoneRule("AEST-10AEDT,M10.1.0,M4.1.0/3"))
        #expect(rule.offset(at: Self.local(2045, 1, 15, 0)) == 11 * 3600)
        #expect(rule.offset(at: Self.local(2045, 7, 15, 0)) == 10 * 3600)
    }

    @Test(arguments: [
        ("Europe/Berln", "unknown time zone"), ("../../etc/passwd", "not an IANA time zone name"),
        ("/etc/passwd", "not an IANA time zone name"), ("Europe", "unknown time zone"),
    ])
    func unknownOrUnsafeZoneNamesAreRefused(name: String, reason: String) {
        #expect {
            try ZoneRules.load(name, directory: Self.system)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func truncatedOrForgedZoneFilesAreErrorsNotCrashes() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.system + "/Europe/Berlin")))
        for length in [0, 3, 4, 20, 44, 45, 100, 1_000, bytes.count - 30] {
            #expect(throws: ZoneInfoError.self) { try ZoneRules.parse(Array(bytes.prefix(length)), name: "x") }
        }
        var huge = bytes
        huge[32...35] = [0x7f, 0xff, 0xff, 0xff]  // an absurd transition count
        #expect(throws: ZoneInfoError.self) { try ZoneRules.parse(huge, name: "x") }
        // Whatever garbage follows a valid header must not trap.
        var state: UInt64 = 42
        for _ in 0..<200 {
            var forged = Array(bytes.prefix(44))
            for _ in 0..<Int(state % 600) {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                forged.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            _ = try? ZoneRules.parse(forged, name: "x")
        }
        #expect(PosixTimeZoneRule("garbage,,") == nil && PosixTimeZoneRule("CET-1CEST,M13.5.0,M10.5.0") == nil)
        // The edges of Int64 are read as ±3,000 years, not trapped on (found by fuzzing).
        for directory in [Self.system, Self.slim] {
            let zone = try ZoneRules.load(
                directory == Self.system ? "Europe/Berlin" : "Slim/Berlin", directory: directory)
            for extreme in [Int64.min, Int64.min + 1, -1, Int64.max - 1, Int64.max] {
                #expect(abs(zone.offset(at: extreme)) <= 7_200)
                #expect(abs(zone.instant(ofLocal: extreme)) <= ZoneRules.farthest + 86_400)
            }
        }
    }

    // MARK: the night the clock changes

    /// SPEC: a window at 02:30 on the night the clock skips 02:00–03:00 is defined. It
    /// starts when the clock jumps (03:00 summer time, 01:00 UTC) and ends as written.
    @Test func aWindowStartingInTheSkippedHourStartsAtTheJump() throws {
        let window = try window("sun 02:30-03:30 Europe/Berlin container_down")
        let night = try #require(window.occurrence(containing: Self.utc(2027, 3, 28, 1, 10)))
        #expect(night.start == Self.utc(2027, 3, 28, 1))
        #expect(night.end == Self.utc(2027, 3, 28, 1, 30))
        #expect(window.occurrence(containing: Self.utc(2027, 3, 28, 0, 59)) == nil)
        // A week later, an ordinary Sunday: 02:30–03:30 summer time.
        let next = try #require(window.occurrence(containing: Self.utc(2027, 4, 4, 0, 45)))
        #expect(next.start == Self.utc(2027, 4, 4, 0, 30) && next.end == Self.utc(2027, 4, 4, 1, 30))
    }

    /// The night the clock goes back, 02:30 happens twice: the window starts at the first.
    @Test func aWindowStartingInTheRepeatedHourStartsAtItsFirstOccurrence() throws {
        let window = try window("sun 02:30-04:00 Europe/Berlin container_down")
        let night = try #require(window.occurrence(containing: Self.utc(2027, 10, 31, 1)))
        #expect(night.start == Self.utc(2027, 10, 31, 0, 30))
        #expect(night.end == Self.utc(2027, 10, 31, 3))
    }

    @Test func aWindowAcrossMidnightBelongsToTheDayItStarts() throws {
        let window = try window("fri 23:00-01:00 container_down")  // UTC
        // Friday 2027-01-15 23:30 and Saturday 00:30 are in; Saturday 23:30 is not.
        #expect(window.occurrence(containing: Self.utc(2027, 1, 15, 23, 30)) != nil)
        #expect(window.occurrence(containing: Self.utc(2027, 1, 16, 0, 30))?.start == Self.utc(2027, 1, 15, 23))
        #expect(window.occurrence(containing: Self.utc(2027, 1, 16, 23, 30)) == nil)
        #expect(window.occurrence(containing: Self.utc(2027, 1, 16, 1)) == nil)
    }

    @Test func upcomingListsTheCurrentThenTheNextOccurrences() throws {
        let window = try window("mon-fri 09:00-10:00 container_down")
        let now = Self.utc(2027, 1, 15, 9, 30)  // a Friday, inside
        let next = window.upcoming(after: now, count: 2)
        #expect(next.map(\.start) == [Self.utc(2027, 1, 15, 9), Self.utc(2027, 1, 18, 9)])
    }

    // MARK: the parser

    @Test(arguments: [
        ("sat,sun 02:00-04:00 Europe/Berlin container_down:*,dependency_down", [5, 6], 120, 240, "Europe/Berlin"),
        ("daily 22:00-06:00 container_down", [0, 1, 2, 3, 4, 5, 6], 1_320, 360, "UTC"),
        ("fri-mon 00:00-24:00 UTC host_memory", [4, 5, 6, 0], 0, 1_440, "UTC"),
        ("MON 10:00-11:00 disk_full:/data, dependency_down", [0], 600, 660, "UTC"),
    ])
    func goodEntriesParse(text: String, days: [Int], start: Int, end: Int, zone: String) throws {
        let window = try window(text)
        #expect(window.weekdays == Set(days) && window.start == start && window.end == end)
        #expect(window.zoneName == zone)
    }

    @Test(arguments: [
        ("sunday 02:00-04:00 container_down", "unknown day"),
        ("sat 2:00-04:00 container_down", "HH:MM-HH:MM"),
        ("sat 02:00-24:01 container_down", "HH:MM-HH:MM"),
        ("sat 24:00-02:00 container_down", "HH:MM-HH:MM"),
        ("sat 02:00-02:00 container_down", "ends when it starts"),
        ("sat 02:00-04:00 Mars/Olympus container_down", "unknown time zone"),
        ("sat 02:00-04:00 Europe/Berlin", "no matcher"),
        ("sat 02:00-04:00 UTC containr_down", "did you mean container_down"),
        ("sat 02:00-04:00", "expected DAYS"),
    ])
    func badEntriesAreRefusedWithTheReason(text: String, reason: String) {
        let result = MaintenanceParser.window(text, number: 1, zoneDirectory: Self.system)
        #expect(throws: SilenceError.self) { try result.get() }
        if case .failure(let error) = result { #expect(error.reason.contains(reason), "\(error.reason)") }
    }

    @Test func aBadEntryIsAStartupErrorNamingTheVariableAndTheEntry() {
        #expect {
            try Configuration.load(
                process: [
                    "WATCHDOG_MAINTENANCE": "sat 02:00-04:00 container_down; sun 25:00-26:00 host_memory",
                    "TZDIR": Self.system,
                ], workingDirectory: nil)
        } throws: { error in
            let text = "\(error)"
            return text.contains("WATCHDOG_MAINTENANCE") && text.contains("entry 2 \"sun 25:00-26:00 host_memory\"")
                && !text.contains("entry 1")
        }
    }

    // MARK: in the tick

    @Test func aWindowCoveringNowHoldsAFireAndItsEndAnnouncesItOnce() throws {
        let maintenance = try window("daily 08:00-09:00 UTC dependency_down")
        let settings = DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: .seconds(1800), processCooldown: nil),
            silences: ConfiguredSilences(standing: [], maintenance: [maintenance]), texts: Texts(.en))
        let key = SignalKey(.dependencyDown, "api")
        let down = SourceOutcome(
            source: "dependencies", ownership: .families([.dependencyDown]), status: .ok,
            signals: [signal(key, active: true)])
        var state = EngineState()
        var sent: [[String]] = []
        for minute in [30, 45, 59, 60, 61, 89] {
            let evaluation = evaluateTick(
                [down], state: state, now: Self.utc(2027, 1, 15, 8, minute), settings: settings)
            sent.append(evaluation.notifications.map(\.action.rawValue))
            state = evaluation.state
        }
        #expect(sent == [[], [], [], ["fire"], [], []])
        #expect(settings.silences.silences(at: Self.utc(2027, 1, 15, 8, 30)).map(\.id) == ["maintenance-1"])
    }
}
