/// Reads `WATCHDOG_MAINTENANCE` strictly: `;`-separated entries
/// `DAYS HH:MM-HH:MM [ZONE] MATCHER[,MATCHER...]`. Every entry that does not parse is
/// an error naming the entry and what is wrong with it; nothing is guessed.
enum MaintenanceParser {
    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    /// Bounds on what one variable may hold.
    static let maximumEntries = 50
    static let maximumEntryLength = 1_000

    /// The windows, or one message per bad entry (`entry 2 "…": …`).
    static func parse(_ text: String, zoneDirectory: String) -> (windows: [MaintenanceWindow], problems: [String]) {
        let entries = text.split(separator: ";").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard entries.count <= maximumEntries else {
            return ([], ["\(entries.count) entries; at most \(maximumEntries)"])
        }
        var windows: [MaintenanceWindow] = []
        var problems: [String] = []
        for (index, entry) in entries.enumerated() {
            switch window(entry, number: index + 1, zoneDirectory: zoneDirectory) {
            case .success(let window): windows.append(window)
            case .failure(let problem):
                problems.append("entry \(index + 1) \"\(entry.prefix(120))\": \(problem.description)")
            }
        }
        return (windows, problems)
    }

    static func window(_ entry: String, number: Int, zoneDirectory: String) -> Result<MaintenanceWindow, SilenceError> {
        do throws(SilenceError) {
            let (schedule, matchers) = try scheduledEntry(entry, zoneDirectory: zoneDirectory, allowingAlways: false)
            guard let schedule else { throw SilenceError("a maintenance window needs days and times") }
            let template = try MaintenanceWindow.template(number: number, text: entry, matchers: matchers)
            return .success(MaintenanceWindow(number: number, text: entry, schedule: schedule, template: template))
        } catch {
            return .failure(error)
        }
    }

    /// One entry of a maintenance or route variable: `DAYS HH:MM-HH:MM [ZONE]
    /// MATCHER[,MATCHER...]`, or (where allowed) `always MATCHER[,MATCHER...]`, which has
    /// no window (nil).
    static func scheduledEntry(_ entry: String, zoneDirectory: String, allowingAlways: Bool) throws(SilenceError)
        -> (schedule: WeeklyWindow?, matchers: [LabelMatcher])
    {
        guard entry.utf8.count <= maximumEntryLength else {
            throw SilenceError("longer than \(maximumEntryLength) bytes")
        }
        let words = entry.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if allowingAlways, words.first?.lowercased() == "always" {
            return (nil, try MatcherList.parse(words.dropFirst().joined(separator: " ")))
        }
        guard words.count >= 3 else {
            throw SilenceError(
                "expected \(allowingAlways ? "always MATCHER[,MATCHER...] or " : "")DAYS HH:MM-HH:MM [ZONE] MATCHER[,MATCHER...]"
            )
        }
        let weekdays = try days(words[0])
        let (start, end) = try times(words[1])
        // A zone is never a matcher, so the third word is the zone exactly when it is not one.
        var rest = Array(words[2...])
        var zone = ZoneRules.utc
        if (try? MatcherList.parse(rest[0])) == nil {
            do {
                zone = try ZoneRules.load(rest[0], directory: zoneDirectory)
            } catch {
                throw SilenceError(error.description)
            }
            rest.removeFirst()
        }
        let schedule = WeeklyWindow(weekdays: weekdays, start: start, end: end, zone: zone)
        return (schedule, try MatcherList.parse(rest.joined(separator: " ")))
    }

    /// `mon`, `sat,sun`, `mon-fri`, `fri-mon` (wrapping), `daily`.
    static func days(_ text: String) throws(SilenceError) -> Set<Int> {
        var days: Set<Int> = []
        for part in text.lowercased().split(separator: ",", omittingEmptySubsequences: false) {
            if part == "daily" {
                days.formUnion(0...6)
                continue
            }
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            let indices = ends.compactMap { dayNames.firstIndex(of: $0) }
            guard indices.count == ends.count, (1...2).contains(indices.count) else {
                throw SilenceError("unknown day \"\(part.prefix(20))\": use mon…sun, daily, or a range such as mon-fri")
            }
            var day = indices[0]
            days.insert(day)
            while day != indices[indices.count - 1] {
                day = (day + 1) % 7
                days.insert(day)
            }
        }
        return days
    }

    /// `HH:MM-HH:MM` in minutes after midnight; the end may be `24:00`.
    static func times(_ text: String) throws(SilenceError) -> (start: Int, end: Int) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = minutes(parts[0], allowing24: false),
            let end = minutes(parts[1], allowing24: true)
        else { throw SilenceError("times \"\(text.prefix(20))\" are not HH:MM-HH:MM (00:00 to 24:00)") }
        guard start != end else { throw SilenceError("the window ends when it starts") }
        return (start, end)
    }

    static func minutes(_ text: Substring, allowing24: Bool) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...59).contains(minutes)
        else { return nil }
        if hours == 24 && minutes == 0 && allowing24 { return 1_440 }
        guard (0...23).contains(hours) else { return nil }
        return hours * 60 + minutes
    }
}
