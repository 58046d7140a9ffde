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
        guard entry.utf8.count <= maximumEntryLength else {
            return .failure(SilenceError("longer than \(maximumEntryLength) bytes"))
        }
        let words = entry.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard words.count >= 3 else {
            return .failure(SilenceError("expected DAYS HH:MM-HH:MM [ZONE] MATCHER[,MATCHER...]"))
        }
        do throws(SilenceError) {
            let weekdays = try days(words[0])
            let (start, end) = try times(words[1])
            // A zone is never a signal family, so the third word is the zone exactly when
            // it is not a matcher.
            var rest = Array(words[2...])
            var zone = ZoneRules.utc
            if (try? keys(rest[0])) == nil {
                do {
                    zone = try ZoneRules.load(rest[0], directory: zoneDirectory)
                } catch {
                    throw SilenceError(error.description)
                }
                rest.removeFirst()
            }
            guard !rest.isEmpty else { throw SilenceError("no matcher: name the keys or families it silences") }
            let template = try MaintenanceWindow.template(
                number: number, text: entry, matcher: LabelMatcher.anyOf(try keys(rest.joined())))
            return .success(
                MaintenanceWindow(
                    number: number, text: entry, weekdays: weekdays, start: start, end: end, zone: zone,
                    template: template))
        } catch {
            return .failure(error)
        }
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

    private static func minutes(_ text: Substring, allowing24: Bool) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...59).contains(minutes)
        else { return nil }
        if hours == 24 && minutes == 0 && allowing24 { return 1_440 }
        guard (0...23).contains(hours) else { return nil }
        return hours * 60 + minutes
    }

    /// `container_down:*,dependency_down`: families, keys and key globs, as in `WATCHDOG_MUTE`.
    static func keys(_ text: String) throws(SilenceError) -> [SignalKey] {
        var keys: [SignalKey] = []
        for item in text.split(separator: ",").map({ $0.trimmingSpaces() }).filter({ !$0.isEmpty }) {
            guard let key = SignalKey(parsing: item) else {
                let family = String(item.prefix { $0 != ":" })
                let hint = NameSuggestion.closest(to: family, in: SignalFamily.allCases.map(\.rawValue))
                throw SilenceError(
                    "unknown signal family \"\(family.prefix(60))\"\(hint.map { "; did you mean \($0)?" } ?? "")")
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw SilenceError("no matcher: name the keys or families it silences") }
        return keys
    }
}
