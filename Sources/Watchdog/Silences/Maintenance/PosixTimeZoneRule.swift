import Notify

/// The POSIX TZ rule a TZif file ends with (`CET-1CEST,M3.5.0,M10.5.0/3`): offsets for
/// the years after the file's last transition. Fixed zones (`<+03>-3`) have no daylight
/// part. Parsed defensively: anything it does not understand makes the rule nil, and
/// the zone keeps its last known offset.
struct PosixTimeZoneRule: Sendable, Equatable {
    /// Offsets east of UTC, in seconds (POSIX writes them west, with the sign flipped).
    let standardOffset: Int32
    let daylight: Daylight?

    struct Daylight: Sendable, Equatable {
        let offset: Int32
        let start: Moment
        let end: Moment
    }

    /// A day of the year and a time of that day (local, seconds; may be negative or past 24 h).
    struct Moment: Sendable, Equatable {
        enum Day: Sendable, Equatable {
            /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
            /// `Jn`: day 1…365, February 29 never counted.
            case julianNoLeap(Int)
            /// `n`: day 0…365, February 29 counted.
            case zeroBased(Int)
        }

        let day: Day
        let seconds: Int

        /// Days since 1970 of this moment's day in `year`.
        func days(in year: Int) -> Int {
            let january1 = CivilTime.days(from: .init(year: year, month: 1, day: 1))
            switch day {
            case .julianNoLeap(let number):
                let leapShift = CivilTime.isLeap(year) && number >= 60 ? 1 : 0
                return january1 + number - 1 + leapShift
            case .zeroBased(let number):
                return january1 + number
            case .monthWeekDay(let month, let week, let weekday):
                let first = CivilTime.days(from: .init(year: year, month: month, day: 1))
                // CivilTime counts Monday as 0; POSIX counts Sunday as 0.
                let firstWeekday = (CivilTime.weekday(ofDays: first) + 1) % 7
                var day = first + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
                let length = CivilTime.daysIn(month: month, year: year)
                while day >= first + length { day -= 7 }
                return day
            }
        }
    }

    init?(_ text: String) {
        var scanner = PosixScanner(Array(text.utf8))
        guard scanner.zoneName(), let standardWest = scanner.offset() else { return nil }
        standardOffset = Int32(-standardWest)
        if scanner.atEnd {
            daylight = nil
            return
        }
        guard scanner.zoneName() else { return nil }
        var daylightOffset = standardOffset + 3600
        if !scanner.peek(","), let west = scanner.offset() { daylightOffset = Int32(-west) }
        guard scanner.consume(","), let start = scanner.moment(), scanner.consume(","), let end = scanner.moment(),
            scanner.atEnd
        else { return nil }
        daylight = Daylight(offset: daylightOffset, start: start, end: end)
    }

    func offset(at instant: Int64) -> Int32 {
        guard let daylight else { return standardOffset }
        let instant = ZoneRules.clamped(instant)
        let localYear = CivilTime.date(
            fromDays: Int(CivilTime.floorDivide(instant &+ Int64(standardOffset), 86_400))
        ).year
        // The year's two changes, as instants: the start is read on standard time, the end
        // on daylight time.
        func change(_ moment: Moment, readOn offset: Int32) -> Int64 {
            Int64(moment.days(in: localYear)) * 86_400 + Int64(moment.seconds) - Int64(offset)
        }
        let start = change(daylight.start, readOn: standardOffset)
        let end = change(daylight.end, readOn: daylight.offset)
        let inDaylight = start < end ? (start <= instant && instant < end) : !(end <= instant && instant < start)
        return inDaylight ? daylight.offset : standardOffset
    }
}

/// Reads the parts of a POSIX TZ string; each step says whether it found its part.
private struct PosixScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    func peek(_ character: Character) -> Bool {
        !atEnd && bytes[position] == character.asciiValue
    }

    mutating func consume(_ character: Character) -> Bool {
        guard peek(character) else { return false }
        position += 1
        return true
    }

    /// `CET`, or `<+0330>`.
    mutating func zoneName() -> Bool {
        if consume("<") {
            while !atEnd, bytes[position] != UInt8(ascii: ">") { position += 1 }
            return consume(">")
        }
        let start = position
        while !atEnd, (bytes[position] | 0x20) >= UInt8(ascii: "a"), (bytes[position] | 0x20) <= UInt8(ascii: "z") {
            position += 1
        }
        return position - start >= 3
    }

    mutating func number(maximumDigits: Int = 3) -> Int? {
        let start = position
        var value = 0
        while !atEnd, position - start < maximumDigits, bytes[position] >= 48, bytes[position] <= 57 {
            value = value * 10 + Int(bytes[position] - 48)
            position += 1
        }
        return position > start ? value : nil
    }

    /// `[+-]hh[:mm[:ss]]`, in seconds, with the sign as written.
    mutating func offset() -> Int? {
        let sign = consume("-") ? -1 : (consume("+") ? 1 : 1)
        guard let hours = number(), hours <= 167 else { return nil }
        var seconds = hours * 3600
        if consume(":") {
            guard let minutes = number(maximumDigits: 2), minutes < 60 else { return nil }
            seconds += minutes * 60
            if consume(":") {
                guard let secs = number(maximumDigits: 2), secs < 60 else { return nil }
                seconds += secs
            }
        }
        return sign * seconds
    }

    /// `Mm.w.d[/time]`, `Jn[/time]` or `n[/time]`.
    mutating func moment() -> PosixTimeZoneRule.Moment? {
        let day: PosixTimeZoneRule.Moment.Day
        if consume("M") {
            guard let month = number(maximumDigits: 2), (1...12).contains(month), consume("."),
                let week = number(maximumDigits: 1), (1...5).contains(week), consume("."),
                let weekday = number(maximumDigits: 1), weekday <= 6
            else { return nil }
            day = .monthWeekDay(month: month, week: week, weekday: weekday)
        } else if consume("J") {
            guard let number = number(), (1...365).contains(number) else { return nil }
            day = .julianNoLeap(number)
        } else {
            guard let number = number(), number <= 365 else { return nil }
            day = .zeroBased(number)
        }
        var seconds = 7_200
        if consume("/") {
            guard let time = offset() else { return nil }
            seconds = time
        }
        return PosixTimeZoneRule.Moment(day: day, seconds: seconds)
    }
}
