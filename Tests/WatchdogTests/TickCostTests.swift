import Foundation
import Synchronization
import Testing

@testable import Watchdog

/// What issue 36 made cheaper in a tick, shown to do the same as before.
@Suite struct TickCostTests {
    /// `SignalKey`'s order is its description's, compared without building it: the
    /// same order as `description <` for families that prefix others, entities that
    /// sort around the separator, and text beyond ASCII.
    @Test func keysSortAsTheirDescriptionsDo() {
        let texts = [
            "host_memory", "disk_full:/", "disk_full:/data", "disk_full:/Data", "container_down:db",
            "container_down:db-1", "container_down:db 1", "container_down:", "container_restarts:db",
            "container_unhealthy:db", "dependency_down:api", "dependency_down:Api", "dependency_down:ä",
            "dependency_down:z", "dependency_down:日本", "dependency_down:a:b", "proc_blocking:12@900",
            "proc_blocking:1@900", "ec2_state:i-1", "ec2_state:i-10", "ec2_status_check:i-9", "orchestrator_down",
            "orchestrator_stale", "heartbeat_missed:x",
        ]
        let keys = texts.map { SignalKey(parsing: $0)! }
        #expect(keys.sorted().map(\.description) == keys.map(\.description).sorted())
        for left in keys {
            for right in keys {
                #expect((left < right) == (left.description < right.description), "\(left) < \(right)")
            }
        }
    }

    /// A source's memory is decoded only when the engine hands back other bytes than the
    /// source kept last: the same bytes reuse the decoded value, new bytes (a state file,
    /// a wall-clock step) are decoded.
    @Test func aSourcesMemoryIsDecodedOnlyWhenItsBytesChanged() async throws {
        let decodes = DecodeCounter()
        try await RunCountingSource.Memory.$counter.withValue(decodes) {
            let source = RunCountingSource()
            let cache = SourceMemoryCache()
            let first = try await source.collectSignals(now: Date(), memory: nil, cache: cache)
            let kept = try #require(first.memory)
            let second = try await source.collectSignals(now: Date(), memory: kept, cache: cache)
            #expect(decodes.count == 0)
            #expect(second.signals.first?.detail == "run 2")
            let third = try await source.collectSignals(now: Date(), memory: second.memory, cache: cache)
            #expect(third.signals.first?.detail == "run 3" && decodes.count == 0)

            // Other bytes: decoded, and what they say counts.
            let fromDisk = Data(#"{"runs":41}"#.utf8)
            let fourth = try await source.collectSignals(now: Date(), memory: fromDisk, cache: cache)
            #expect(fourth.signals.first?.detail == "run 42" && decodes.count == 1)
            // Without a cache, every run decodes.
            _ = try await source.collectSignals(now: Date(), memory: fourth.memory)
            #expect(decodes.count == 2)
        }
    }
}

final class DecodeCounter: Sendable {
    private let value = Mutex(0)
    var count: Int { value.withLock { $0 } }
    func add() { value.withLock { $0 += 1 } }
}

/// Counts its runs in its memory; the memory counts its decodes.
private struct RunCountingSource: Source {
    struct Memory: Sendable, Codable {
        @TaskLocal static var counter: DecodeCounter?
        var runs: Int

        init(runs: Int) { self.runs = runs }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            runs = try container.decode(Int.self, forKey: .runs)
            Self.counter?.add()
        }
    }

    let name = "counting"
    let ownership = KeyOwnership.families([.hostMemory])

    func collect(now: Date) async throws -> Int { 0 }

    func evaluate(_ reading: Int, memory: Memory?, now: Date) -> SourceEvaluation<Memory> {
        let runs = (memory?.runs ?? 0) + 1
        return SourceEvaluation(
            signals: [
                Signal(key: SignalKey(.hostMemory), active: false, severity: .warning, title: "", detail: "run \(runs)")
            ],
            memory: Memory(runs: runs))
    }
}
