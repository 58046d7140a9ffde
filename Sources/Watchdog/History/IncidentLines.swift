import FoundationEssentials

/// The incident log's lines as values (SPEC §14). Pure: bytes in, incidents out, and the
/// other way; compaction is a choice of incidents.
enum IncidentLines {
    /// A line longer than this is not one the watchdog wrote (a full incident is well
    /// under 16 KiB: its lists are bounded): skipped unread.
    static let lineLimit = 64 * 1024

    /// The incidents the lines tell, each as its last line says, oldest start first; and
    /// how many lines were skipped (torn by a crash, edited badly, too long). Never throws:
    /// a bad line costs that line.
    static func parse(_ bytes: some Collection<UInt8>) -> (incidents: [Incident], skipped: Int) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var latest: [String: Incident] = [:]
        var skipped = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard line.count <= lineLimit, let incident = try? decoder.decode(Incident.self, from: Data(line)) else {
                skipped += 1
                continue
            }
            latest[incident.id] = incident
        }
        return (ordered(latest.values), skipped)
    }

    /// One incident as one line, newline included.
    static func line(_ incident: Incident) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // An incident always encodes (strings, dates, numbers); nothing is lost if not.
        var data = (try? encoder.encode(incident)) ?? Data()
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// What a compaction keeps: open incidents, and resolved ones that ended within
    /// `keep` of `now`; of those at most `limit`, the newest (open ones before any).
    static func kept(_ incidents: [Incident], keep: TimeInterval, limit: Int, now: Date) -> [Incident] {
        let horizon = now.addingTimeInterval(-keep)
        var kept = incidents.filter { $0.resolvedAt.map { $0 >= horizon } ?? true }
        if kept.count > limit {
            let open = kept.filter(\.isOpen)
            let resolved = kept.filter { !$0.isOpen }
            kept = Array(open.suffix(limit)) + Array(resolved.suffix(max(0, limit - open.count)))
            kept = ordered(kept)
        }
        return kept
    }

    static func ordered(_ incidents: some Sequence<Incident>) -> [Incident] {
        incidents.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }
}
