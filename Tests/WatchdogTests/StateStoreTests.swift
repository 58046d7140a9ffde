import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

@Suite(.serialized) struct StateStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let key = SignalKey(.diskFull, "/data")

    var firingState: EngineState {
        EngineState(
            alerts: [
                key: TrackedAlert(
                    state: AlertState(firing: true, since: now, lastNotified: now),
                    signal: signal(key, active: true))
            ],
            collectors: ["disk:/data": CollectorHealth(consecutiveFailures: 1, lastError: "x")])
    }

    @Test func savedStateLoadsBackEqualWithItsOutboxes() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        let store = StateStore(path: path, engine: EngineState(), logger: LogRecorder().logger(), now: { self.now })
        let pending = ["telegram": [OutboundMessage(id: "a", body: "<b>x</b>", silent: true)]]
        await store.setOutboxes { pending }
        await store.save(engine: firingState)
        // Written atomically: no temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["state.json"])

        let loaded = StateStore.loadState(path: path, logger: LogRecorder().logger(), now: now)
        #expect(loaded.engine == firingState)
        #expect(loaded.outboxes == pending)
        #expect(loaded.version == PersistedState.currentVersion)
        #expect(loaded.savedAt == now)
    }

    /// The directory whose entry a save's rename changes, synced after it.
    @Test func theDirectoryOfTheStateFile() {
        #expect(StateFile.directory(of: "/var/lib/watchdog/state.json") == "/var/lib/watchdog")
        #expect(StateFile.directory(of: "/state.json") == "/")
        #expect(StateFile.directory(of: "state.json") == ".")
        #expect(StateFile.directory(of: "data/state.json") == "data")
    }

    @Test func aMissingFileIsAFreshStart() {
        let loaded = StateStore.loadState(path: "/nonexistent/dir/state.json", logger: LogRecorder().logger(), now: now)
        #expect(loaded.engine == EngineState())
    }

    @Test(arguments: [
        ("{not json", "not a watchdog state file"),
        ("", "not a watchdog state file"),
        (#"{"version": 1, "engine": 42}"#, "corrupt"),
        (#"{"version": 99, "savedAt": "2026-01-01T00:00:00Z"}"#, "written by a newer watchdog (format 99"),
    ])
    func anUnusableFileIsMovedAsideLoggedAndReplacedByAFreshState(contents: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("state.json", contents)
        let recorder = LogRecorder()
        let loaded = StateStore.loadState(path: path, logger: recorder.logger(), now: now)
        #expect(loaded.engine == EngineState())
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files == ["state.json.corrupt-2027-01-15T080000Z"])
        let logged = try #require(recorder.all.first { $0.level == .error })
        #expect(logged.message == "state file unusable, moved aside; starting fresh")
        #expect(logged.metadata["reason"]?.contains(reason) == true)
        #expect(logged.metadata["moved_to"] == path + ".corrupt-2027-01-15T080000Z")
    }

    @Test func aReadOnlyDirectoryIsLoggedOnceAndTheWatchdogKeepsItsStateInMemory() async throws {
        let directory = try ReadOnlyDirectory()
        defer { directory.remove() }
        let recorder = LogRecorder()
        let store = StateStore(
            path: directory.path + "/state.json", engine: EngineState(), logger: recorder.logger(), now: { Date() })
        await store.save(engine: firingState)
        await store.save(engine: EngineState())
        let errors = recorder.all.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message == "cannot write the state file; state is kept in memory")
        #expect(errors.first?.metadata["error"]?.contains("Read-only file system") == true)
    }

    @Test func nothingIsWrittenWhenNothingChanged() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        let store = StateStore(path: path, engine: EngineState(), logger: LogRecorder().logger(), now: { Date() })
        await store.save(engine: firingState)
        let first = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        try FileManager.default.removeItem(atPath: path)
        await store.save(engine: firingState)
        #expect(first != nil)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// A restart with the saved state: a key still firing is not fired again, a key that
    /// cleared while the watchdog was down resolves on the first tick.
    @Test func afterARestartFiringKeysAreNotFiredAgainAndClearedOnesResolve() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        let memory = SignalKey(.hostMemory)
        let disk = SignalKey(.diskFull, "/")
        let settings = DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: .seconds(1800), processCooldown: nil),
            texts: Texts(.en))
        func engine(memoryActive: Bool, diskActive: Bool, state: EngineState) -> TickEngine<ManualClock> {
            TickEngine(
                sources: [
                    FakeSource("memory", owns: .families([.hostMemory])) { [signal(memory, active: memoryActive)] },
                    FakeSource("disk:/", owns: .key(disk)) { [signal(disk, active: diskActive)] },
                ], settings: settings, collectTimeout: .seconds(10), clock: ManualClock(), state: state)
        }

        let before = engine(memoryActive: true, diskActive: true, state: EngineState())
        let first = await before.conclude(await before.collect(now: now), now: now)
        #expect(first.notifications.count == 2)
        let store = StateStore(path: path, engine: EngineState(), logger: LogRecorder().logger(), now: { Date() })
        await store.save(engine: first.state)

        let restored = StateStore.loadState(path: path, logger: LogRecorder().logger(), now: now)
        let after = engine(memoryActive: true, diskActive: false, state: restored.engine)
        let later = now.addingTimeInterval(60)
        let second = await after.conclude(await after.collect(now: later), now: later)
        #expect(second.notifications.map { "\($0.key) \($0.action)" } == ["disk_full:/ resolve"])
        #expect(second.notifications.first?.startedAt == now)
    }
}

/// A directory on a read-only filesystem: a read-only tmpfs mount where the tests run
/// as root (permission bits do not stop root), a mode-0500 directory otherwise.
struct ReadOnlyDirectory {
    let path: String
    private let mounted: Bool
    private let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory()
        path = scratch.path
        if geteuid() == 0 {
            let mount = Process()
            mount.executableURL = URL(fileURLWithPath: "/bin/mount")
            mount.arguments = ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", path]
            try mount.run()
            mount.waitUntilExit()
            mounted = mount.terminationStatus == 0
        } else {
            mounted = false
            chmod(path, 0o500)
        }
    }

    func remove() {
        if mounted {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [path]
            try? umount.run()
            umount.waitUntilExit()
        } else {
            chmod(path, 0o700)
        }
    }
}

/// Remembers how many times it ran; active from the third run on.
struct CountingSource: Source {
    struct Memory: Codable, Sendable, Equatable { var runs: Int }
    let name = "counter"
    let ownership = KeyOwnership.families([.queueBacklog])

    func collect(now: Date) async throws -> Int { 1 }

    func evaluate(_ reading: Int, memory: Memory?, now: Date) -> SourceEvaluation<Memory> {
        let runs = (memory?.runs ?? 0) + reading
        return SourceEvaluation(
            signals: [signal(SignalKey(.queueBacklog), active: runs >= 3)], memory: Memory(runs: runs))
    }
}

@Suite struct SourceMemoryTests {
    @Test func aSourcesMemorySurvivesARestartThroughTheStateFile() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        let settings = DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: nil, processCooldown: nil),
            texts: Texts(.en))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let first = TickEngine(
            sources: [CountingSource()], settings: settings, collectTimeout: .seconds(5), clock: ManualClock())
        for tick in 0..<2 {
            let at = now.addingTimeInterval(Double(tick))
            #expect(await first.conclude(await first.collect(now: at), now: at).notifications.isEmpty)
        }
        let store = StateStore(path: path, engine: EngineState(), logger: LogRecorder().logger(), now: { Date() })
        await store.save(engine: await first.state)

        let restored = StateStore.loadState(path: path, logger: LogRecorder().logger(), now: now)
        let second = TickEngine(
            sources: [CountingSource()], settings: settings, collectTimeout: .seconds(5), clock: ManualClock(),
            state: restored.engine)
        let third = await second.conclude(await second.collect(now: now), now: now)
        #expect(third.notifications.map(\.key) == ["queue_backlog"])
        #expect(await second.state.samples["counter"] == Data(#"{"runs":3}"#.utf8))
    }

    @Test func aFailedRunKeepsTheMemoryOfTheLastSuccessfulOne() async {
        let outcome = SourceOutcome(source: "counter", ownership: .families([.queueBacklog]), status: .failed("x"))
        let state = EngineState(samples: ["counter": Data("{\"runs\":2}".utf8)])
        let next = evaluateTick(
            [outcome], state: state, now: Date(),
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: nil, processCooldown: nil),
                texts: Texts(.en)))
        #expect(next.state.samples["counter"] == Data("{\"runs\":2}".utf8))
    }
}

@Suite struct PruningTests {
    @Test func keysNoConfiguredSourceOwnsAreDroppedAtStart() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func tracked(_ key: SignalKey) -> TrackedAlert {
            TrackedAlert(
                state: AlertState(firing: true, since: now, lastNotified: now), signal: signal(key, active: true))
        }
        let kept = [SignalKey(.hostMemory), SignalKey(.diskFull, "/"), SignalKey(.collectorFailed, "disk:/")]
        let gone = [
            SignalKey(.containerDown, "old"), SignalKey(.diskFull, "/data"), SignalKey(.collectorFailed, "docker"),
        ]
        let state = EngineState(
            alerts: Dictionary(uniqueKeysWithValues: (kept + gone).map { ($0, tracked($0)) }),
            collectors: [
                "docker": CollectorHealth(consecutiveFailures: 2), "memory": CollectorHealth(consecutiveFailures: 1),
            ],
            samples: ["docker": Data("{}".utf8)])
        let sources: [any Source] = [
            HostMemorySource(procRoot: "/proc", thresholdPercent: 90, texts: Texts(.en)),
            DiskSource(path: "/", thresholdPercent: 90, texts: Texts(.en)),
        ]
        let (pruned, dropped) = state.pruned(to: sources)
        #expect(Set(pruned.alerts.keys) == Set(kept))
        #expect(Set(dropped) == Set(gone))
        #expect(pruned.collectors.keys.sorted() == ["memory"])
        #expect(pruned.samples.isEmpty)
    }
}
