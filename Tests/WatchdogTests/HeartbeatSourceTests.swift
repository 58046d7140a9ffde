import Foundation
import TestSupport
import Testing

@testable import Watchdog

@Suite struct HeartbeatSourceTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let windows = [
        HeartbeatWindow(name: "backup", window: .seconds(100)), HeartbeatWindow(name: "agent", window: .seconds(30)),
    ]

    func engine(_ board: HeartbeatBoard, state: EngineState = EngineState()) -> TickEngine<ManualClock> {
        TickEngine(
            sources: [HeartbeatSource(windows: windows, board: board, texts: Texts(.en))],
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 3,
                // A short cooldown: heartbeat_missed must not repeat even so.
                policies: .standard(cooldown: .seconds(10), processCooldown: nil), texts: Texts(.en)),
            collectTimeout: .seconds(10), clock: ManualClock(), state: state)
    }

    /// One tick at t0 + `seconds`: "key action" per notification.
    func tick(_ engine: TickEngine<ManualClock>, at seconds: Double) async -> [String] {
        let now = t0.addingTimeInterval(seconds)
        return await engine.conclude(await engine.collect(now: now), now: now).notifications.map {
            "\($0.key) \($0.action.rawValue)"
        }
    }

    @Test func theFirstWindowStartsAtTheFirstTickAndAMissFiresOnceThenAPingResolves() async {
        let board = HeartbeatBoard(names: windows.map(\.name))
        board.record("backup", at: t0.addingTimeInterval(5))
        let engine = engine(board)
        #expect(await tick(engine, at: 0) == [])
        #expect(await tick(engine, at: 29) == [])
        #expect(await tick(engine, at: 30) == ["heartbeat_missed:agent fire"])
        // Many ticks and cooldowns later: still no repeat.
        for second in stride(from: 40.0, through: 100, by: 10) {
            #expect(await tick(engine, at: second) == [])
        }
        #expect(await tick(engine, at: 105) == ["heartbeat_missed:backup fire"])
        board.record("agent", at: t0.addingTimeInterval(110))
        #expect(await tick(engine, at: 111) == ["heartbeat_missed:agent resolve"])
        #expect(await tick(engine, at: 139) == [])
        #expect(await tick(engine, at: 140) == ["heartbeat_missed:agent fire"])
    }

    @Test func aRestartKeepsTheLastSeenTimesSoAWindowIsNotReset() async {
        let board = HeartbeatBoard(names: windows.map(\.name))
        let first = engine(board)
        board.record("backup", at: t0.addingTimeInterval(10))
        _ = await tick(first, at: 20)
        let saved = await first.state

        // A new process: nothing pinged since its start; the saved state says when the
        // last ping was.
        let restarted = engine(HeartbeatBoard(names: windows.map(\.name)), state: saved)
        #expect(await tick(restarted, at: 60).contains("heartbeat_missed:agent fire"))
        #expect(!(await tick(restarted, at: 105)).contains("heartbeat_missed:backup fire"))
        #expect(await tick(restarted, at: 110) == ["heartbeat_missed:backup fire"])
    }

    @Test func detailsSayWhenTheLastPingWasOrThatThereWasNone() {
        let source = HeartbeatSource(windows: windows, board: HeartbeatBoard(names: []), texts: Texts(.en))
        let start = source.evaluate(.init(pings: ["backup": t0]), memory: nil, now: t0)
        let later = source.evaluate(.init(pings: [:]), memory: start.memory, now: t0.addingTimeInterval(120))
        let details = Dictionary(uniqueKeysWithValues: later.signals.map { ($0.key.description, $0.detail) })
        #expect(details["heartbeat_missed:backup"] == "last ping 2m ago (window 1m 40s)")
        #expect(
            details["heartbeat_missed:agent"]
                == "no ping since the watchdog started watching 2m ago (window 30s)")
        #expect(later.signals.allSatisfy { $0.active && $0.severity == .critical })
    }

    @Test func anOlderPingNeverMovesTheLastSeenTimeBack() {
        let source = HeartbeatSource(windows: windows, board: HeartbeatBoard(names: []), texts: Texts(.en))
        let seen = source.evaluate(.init(pings: ["backup": t0.addingTimeInterval(50)]), memory: nil, now: t0)
        let next = source.evaluate(
            .init(pings: ["backup": t0.addingTimeInterval(40)]), memory: seen.memory, now: t0.addingTimeInterval(60))
        #expect(next.memory?.seen["backup"]?.at == t0.addingTimeInterval(50))
    }

    @Test func theBoardStoresOnlyConfiguredNames() {
        let board = HeartbeatBoard(names: ["backup"])
        #expect(board.record("backup", at: t0))
        #expect(!board.record("intruder", at: t0))
        #expect(board.latest().keys.sorted() == ["backup"])
    }

    @Test func namesRemovedFromTheConfigurationAreForgotten() {
        let source = HeartbeatSource(
            windows: [windows[0]], board: HeartbeatBoard(names: []), texts: Texts(.en))
        let old = HeartbeatSource.Memory(seen: [
            "backup": .init(at: t0, pinged: true), "gone": .init(at: t0, pinged: true),
        ])
        #expect(source.evaluate(.init(pings: [:]), memory: old, now: t0).memory?.seen.keys.sorted() == ["backup"])
    }
}
