import FoundationEssentials
import Notify

/// RFC 3339 times as the Alertmanager API writes them (`2026-12-03T09:00:00.123Z`,
/// `…+01:00`). A parser of its own, strict and bounded, so that what a client sends is
/// read the same on every platform.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        var position = 0
        func digits(_ count: Int) -> Int? {
            guard position + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[position..<position + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            position += count
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard position < bytes.count, characters.utf8.contains(bytes[position]) else { return false }
            position += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
            expect("Tt "), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
            let second = digits(2),
            (1...12).contains(month), day >= 1, day <= CivilTime.daysIn(month: month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var fraction = 0.0
        if expect(".") {
            var scale = 0.1
            let start = position
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
                fraction += Double(bytes[position] - 48) * scale
                scale /= 10
                position += 1
            }
            guard position > start else { return nil }
        }
        var offset = 0
        if !expect("Zz") {
            guard position < bytes.count else { return nil }
            let sign = bytes[position] == UInt8(ascii: "-") ? -1 : 1
            guard expect("+-"), let hours = digits(2), expect(":"), let minutes = digits(2), hours <= 23,
                minutes <= 59
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard position == bytes.count else { return nil }
        let days = CivilTime.days(from: .init(year: year, month: month, day: day))
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `2026-12-03T09:00:00.123Z`: milliseconds, as Alertmanager writes them.
    static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = CivilTime.floorDivide(milliseconds, 1000)
        let days = CivilTime.floorDivide(seconds, 86_400)
        let civil = CivilTime.date(fromDays: Int(days))
        let secondOfDay = Int(seconds - days * 86_400)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(civil.year, 4))-\(pad(civil.month, 2))-\(pad(civil.day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(Int(milliseconds - seconds * 1000), 3))Z"
    }
}
