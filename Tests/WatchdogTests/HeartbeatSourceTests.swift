import Foundation
import TestSupport
import Testing

@testable import Watchdog

@Suite struct HeartbeatSourceTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let windows = [
        HeartbeatWindow(name: "backup", window: .seconds(100)), HeartbeatWindow(name: "agent", window: .seconds(30)),
    ]

    /// The monotonic clock of the boards and engines; the ticks' wall time is t0 plus it,
    /// unless a test steps the wall clock.
    let clock = ManualClock()

    func board() -> HeartbeatBoard {
        HeartbeatBoard(names: windows.map(\.name), monotonicNow: { [clock] in clock.now.offset })
    }

    /// Moves the monotonic clock to `seconds` after t0.
    func advance(to seconds: Double) {
        clock.advance(by: .milliseconds(Int64(seconds * 1000)) - clock.now.offset)
    }

    /// A ping of `name` at t0 + `seconds` on the monotonic clock.
    func ping(_ board: HeartbeatBoard, _ name: String, at seconds: Double) {
        advance(to: seconds)
        #expect(board.record(name))
    }

    func engine(_ board: HeartbeatBoard, state: EngineState = EngineState()) -> TickEngine<ManualClock> {
        TickEngine(
            sources: [HeartbeatSource(windows: windows, board: board, texts: Texts(.en))],
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 3,
                // A short cooldown: heartbeat_missed must not repeat even so.
                policies: .standard(cooldown: .seconds(10), processCooldown: nil), texts: Texts(.en)),
            collectTimeout: .seconds(10), clock: clock, state: state)
    }

    /// One tick at t0 + `seconds` on the monotonic clock, whose wall time is `wallStep`
    /// seconds off it: "key action" per notification.
    func tick(_ engine: TickEngine<ManualClock>, at seconds: Double, wallStep: Double = 0) async -> [String] {
        advance(to: seconds)
        let now = t0.addingTimeInterval(seconds + wallStep)
        _ = await engine.followWallClock(now)
        return await engine.conclude(await engine.collect(now: now), now: now).notifications.map {
            "\($0.key) \($0.action.rawValue)"
        }
    }

    @Test func theFirstWindowStartsAtTheFirstTickAndAMissFiresOnceThenAPingResolves() async {
        let board = board()
        let engine = engine(board)
        #expect(await tick(engine, at: 0) == [])
        ping(board, "backup", at: 5)
        #expect(await tick(engine, at: 29) == [])
        #expect(await tick(engine, at: 30) == ["heartbeat_missed:agent fire"])
        // Many ticks and cooldowns later: still no repeat.
        for second in stride(from: 40.0, through: 100, by: 10) {
            #expect(await tick(engine, at: second) == [])
        }
        #expect(await tick(engine, at: 105) == ["heartbeat_missed:backup fire"])
        ping(board, "agent", at: 110)
        #expect(await tick(engine, at: 111) == ["heartbeat_missed:agent resolve"])
        #expect(await tick(engine, at: 139) == [])
        #expect(await tick(engine, at: 140) == ["heartbeat_missed:agent fire"])
    }

    @Test func aRestartKeepsTheLastSeenTimesSoAWindowIsNotReset() async {
        let board = board()
        let first = engine(board)
        ping(board, "backup", at: 10)
        _ = await tick(first, at: 20)
        let saved = await first.state

        // A new process: nothing pinged since its start; the saved state says when the
        // last ping was.
        let restarted = engine(self.board(), state: saved)
        #expect(await tick(restarted, at: 60).contains("heartbeat_missed:agent fire"))
        #expect(!(await tick(restarted, at: 105)).contains("heartbeat_missed:backup fire"))
        #expect(await tick(restarted, at: 110) == ["heartbeat_missed:backup fire"])
    }

    /// SPEC §12: a heartbeat pinged every second neither fires nor resolves when the wall
    /// clock steps 2 h forward, or 1 h back, while the watchdog runs; a real miss after
    /// the step still fires after its window, measured on the monotonic clock.
    @Test(arguments: [7_200.0, -3_600.0])
    func aStepOfTheWallClockNeitherFiresNorResolvesAHeartbeat(step: Double) async {
        let board = board()
        let engine = engine(board)
        var sent: [String] = []
        for second in 0...60 {
            ping(board, "agent", at: Double(second))
            ping(board, "backup", at: Double(second))
            sent += await tick(engine, at: Double(second) + 0.5, wallStep: second >= 30 ? step : 0)
        }
        #expect(sent == [])
        // The pings stop at 60 s: `agent` (30 s) is missed 30 s later, not sooner or later.
        #expect(await tick(engine, at: 89, wallStep: step) == [])
        #expect(await tick(engine, at: 90.5, wallStep: step) == ["heartbeat_missed:agent fire"])
    }

    @Test func detailsSayWhenTheLastPingWasOrThatThereWasNone() {
        let source = HeartbeatSource(
            windows: windows, board: HeartbeatBoard(names: [], monotonicNow: nil), texts: Texts(.en))
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
        let source = HeartbeatSource(
            windows: windows, board: HeartbeatBoard(names: [], monotonicNow: nil), texts: Texts(.en))
        let seen = source.evaluate(.init(pings: ["backup": t0.addingTimeInterval(50)]), memory: nil, now: t0)
        let next = source.evaluate(
            .init(pings: ["backup": t0.addingTimeInterval(40)]), memory: seen.memory, now: t0.addingTimeInterval(60))
        #expect(next.memory?.seen["backup"]?.at == t0.addingTimeInterval(50))
    }

    @Test func theBoardStoresOnlyConfiguredNamesAndAgesPingsOnTheMonotonicClock() {
        let board = board()
        ping(board, "backup", at: 3)
        #expect(!board.record("intruder"))
        advance(to: 10)
        #expect(board.latest(asOf: t0) == ["backup": t0.addingTimeInterval(-7)])
        #expect(!HeartbeatBoard(names: ["backup"], monotonicNow: nil).record("backup"))
    }

    @Test func namesRemovedFromTheConfigurationAreForgotten() {
        let source = HeartbeatSource(
            windows: [windows[0]], board: HeartbeatBoard(names: [], monotonicNow: nil), texts: Texts(.en))
        let old = HeartbeatSource.Memory(seen: [
            "backup": .init(at: t0, pinged: true), "gone": .init(at: t0, pinged: true),
        ])
        #expect(source.evaluate(.init(pings: [:]), memory: old, now: t0).memory?.seen.keys.sorted() == ["backup"])
    }
}
