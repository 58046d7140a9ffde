import FoundationEssentials

/// HTTP dates (RFC 9110 §5.6.7), as `Retry-After` may carry them: the preferred
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` and the two obsolete forms recipients must
/// still accept, RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime
/// `Sun Nov  6 08:49:37 1994`. Pure arithmetic: no `DateFormatter`, whose parser leaks
/// in swift-corelibs-foundation (found by fuzzing) and pulls in ICU's locale data.
public enum HTTPDate {
    /// The time, or nil for anything else. The day name is not checked against the
    /// date (RFC 9110 lets a recipient ignore it).
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count <= 64 else { return nil }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        switch words.count {
        case 6 where words[5] == "GMT":  // Sun, 06 Nov 1994 08:49:37 GMT
            guard words[1].count == 2, words[3].count == 4, let day = Int(words[1]), let year = Int(words[3]) else {
                return nil
            }
            return date(year: year, month: words[2], day: day, clock: words[4])
        case 4 where words[3] == "GMT":  // Sunday, 06-Nov-94 08:49:37 GMT
            let parts = words[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, parts[0].count == 2, parts[2].count == 2, let day = Int(parts[0]),
                let shortYear = Int(parts[2])
            else { return nil }
            // Two-digit years as POSIX strptime reads them (69 and below are 20xx): a
            // Retry-After date is near today, well inside that window.
            return date(
                year: shortYear < 70 ? 2000 + shortYear : 1900 + shortYear, month: parts[1], day: day, clock: words[2])
        case 5:  // Sun Nov  6 08:49:37 1994
            guard (1...2).contains(words[2].count), words[4].count == 4, let day = Int(words[2]),
                let year = Int(words[4])
            else { return nil }
            return date(year: year, month: words[1], day: day, clock: words[3])
        default:
            return nil
        }
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func date(year: Int, month monthName: String, day: Int, clock: String) -> Date? {
        guard let monthIndex = monthNames.firstIndex(of: monthName) else { return nil }
        let month = monthIndex + 1
        let fields = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, fields.allSatisfy({ $0.count == 2 }),
            let hour = Int(fields[0]), let minute = Int(fields[1]), let second = Int(fields[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (1...9999).contains(year), (1...CivilTime.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let days = CivilTime.days(from: .init(year: year, month: month, day: day))
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

}
