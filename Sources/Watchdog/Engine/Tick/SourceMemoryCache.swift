import FoundationEssentials
import Synchronization

/// The memory each source kept at its last run, decoded, beside the JSON the engine keeps
/// it as. The next run is normally handed those very bytes back, and decoding them again
/// every tick was a tenth of a tick's instructions with every source on (issue 36's
/// profile, BENCHMARKS.md). Bytes that differ (read from the state file, moved by a
/// wall-clock step) are decoded as before. One per `TickEngine`.
final class SourceMemoryCache: Sendable {
    private struct Entry {
        let data: Data
        let memory: any Sendable
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The memory `data` decodes to, when it is what `source` kept last.
    func memory<Memory: Sendable>(_ type: Memory.Type, source: String, data: Data) -> Memory? {
        guard let entry = entries.withLock({ $0[source] }), entry.data == data else { return nil }
        return entry.memory as? Memory
    }

    /// What `source` kept, or nil when it keeps nothing.
    func keep(_ memory: (some Sendable)?, as data: Data?, source: String) {
        entries.withLock { entries in
            if let memory, let data {
                entries[source] = Entry(data: data, memory: memory)
            } else {
                entries[source] = nil
            }
        }
    }
}
