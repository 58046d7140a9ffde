import FoundationEssentials
import Notify

/// The silences in force at one moment, their matchers compiled once, asked per key.
struct SilenceSet {
    private let entries: [(id: String, matchers: [CompiledMatcher])]

    init(_ silences: [Silence]) {
        // Equality matchers first: they rule most silences out at the cost of a compare.
        entries = silences.map { silence in
            let ordered = silence.matchers.filter { !$0.op.isRegex } + silence.matchers.filter(\.op.isRegex)
            return (silence.id, ordered.map(CompiledMatcher.init))
        }
    }

    var isEmpty: Bool { entries.isEmpty }

    /// The ids of the silences that match these labels, in the order given.
    func silencing(_ labels: [String: String]) -> [String] {
        entries.filter { entry in entry.matchers.allSatisfy { $0.matches(labels) } }.map(\.id)
    }

    /// The labels a key is matched on (SPEC §4.1, the labels of §5).
    static func labels(of key: SignalKey, severity: Severity, instance: String) -> [String: String] {
        var labels = [
            "alertname": key.family.rawValue,
            "key": key.description,
            "instance": instance,
            "severity": severity.rawValue,
        ]
        if let entity = key.entity { labels["entity"] = entity }
        return labels
    }
}

/// Every silence in force at `now`: the configured ones (`WATCHDOG_MUTE`, the current
/// maintenance windows) and those made at run time.
func silencesInForce(configured: ConfiguredSilences, book: SilenceBook, now: Date) -> [Silence] {
    configured.silences(at: now) + book.silences.filter { $0.isActive(at: now) }
}
