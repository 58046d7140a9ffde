import Collectors
import Foundation
import TestSupport
import Testing

@testable import Watchdog

/// SPEC §12, *Time*: every duration judged within a run is measured on the monotonic
/// clock. The engine is driven by a manual monotonic clock and a wall clock that steps
/// 2 h forward or 1 h back part way through; what it sends must be what it sends with
/// no step at all.
@Suite struct WallClockStepTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let memory = SignalKey(.hostMemory)
    let disk = SignalKey(.diskFull, "/data")

    /// Ticks once a minute for `minutes` with the wall clock `step` seconds off the
    /// monotonic clock from minute `stepAt` on; returns "minute key action" per
    /// notification.
    func run(step: Double, stepAt: Int = 10, minutes: Int = 130, flap: FlapPolicy? = nil) async -> [String] {
        let clock = ManualClock()
        let source = FakeSource("host", owns: .families([.hostMemory, .diskFull])) { [memory, disk] in
            // host_memory fires and stays; disk_full comes and goes every 5 minutes.
            let minute = Int(clock.now.offset.components.seconds / 60)
            return [
                signal(memory, active: true),
                signal(disk, active: (minute / 5) % 2 == 1, severity: .critical),
            ]
        }
        let engine = TickEngine(
            sources: [source],
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 3,
                policies: .standard(cooldown: .seconds(1800), processCooldown: nil, flap: flap), texts: Texts(.en)),
            collectTimeout: .seconds(10), clock: clock)
        var sent: [String] = []
        for minute in 0..<minutes {
            let wall = t0.addingTimeInterval(Double(minute * 60) + (minute >= stepAt ? step : 0))
            _ = await engine.followWallClock(wall)
            let evaluation = await engine.conclude(await engine.collect(now: wall), now: wall)
            sent += evaluation.notifications.map { "\(minute) \($0.key) \($0.action.rawValue)" }
            clock.advance(by: .seconds(60))
        }
        return sent
    }

    @Test(arguments: [7_200.0, -3_600.0, 90.0, -5.0])
    func aStepOfTheWallClockChangesNothingThatIsSent(step: Double) async {
        let unstepped = await run(step: 0)
        // The cooldown of 30 minutes is kept whatever the wall clock says.
        #expect(
            unstepped.filter { $0.contains("host_memory") } == [
                "0 host_memory fire", "30 host_memory repeat", "60 host_memory repeat", "90 host_memory repeat",
                "120 host_memory repeat",
            ])
        #expect(await run(step: step) == unstepped)
    }

    @Test(arguments: [7_200.0, -3_600.0])
    func flappingWindowsAreMeasuredOnTheMonotonicClock(step: Double) async {
        let flap = FlapPolicy(changes: 4, window: .seconds(1800))
        let unstepped = await run(step: 0, stepAt: 22, minutes: 90, flap: flap)
        #expect(unstepped.contains { $0.hasSuffix("disk_full:/data flapping") })
        #expect(await run(step: step, stepAt: 22, minutes: 90, flap: flap) == unstepped)
    }

    @Test func stepsAreToldFromDriftAndSlewing() {
        let clock = ManualClock()
        var steps = WallClockSteps<ManualClock.Instant>()
        #expect(steps.observe(wall: t0, monotonic: clock.now) == nil)
        clock.advance(by: .seconds(30))
        #expect(steps.observe(wall: t0.addingTimeInterval(30.2), monotonic: clock.now) == nil)
        clock.advance(by: .seconds(30))
        #expect(steps.observe(wall: t0.addingTimeInterval(60.2 + 7_200), monotonic: clock.now) == 7_200)
        clock.advance(by: .seconds(30))
        let back = steps.observe(wall: t0.addingTimeInterval(90.2 + 3_600), monotonic: clock.now)
        #expect(back.map { abs($0 + 3_600) < 0.001 } == true)
    }

    /// At start, a saved instant later than now (the clock went back while the watchdog
    /// was down) counts as now; silences keep the ends people set.
    @Test func aRestartCountsNoTimeAsPassedBackwards() throws {
        let future = t0.addingTimeInterval(3_600)
        let source = FakeSource("host", owns: .families([.hostMemory])) { [] }
        var state = EngineState(alerts: [
            memory: TrackedAlert(
                state: AlertState(firing: true, since: t0.addingTimeInterval(-60), lastNotified: future),
                signal: signal(memory, active: true), announced: true)
        ])
        let silence = try Silence(
            id: "s", matchers: [LabelMatcher.forKey(disk)], startsAt: t0, endsAt: future.addingTimeInterval(60),
            createdBy: "alice", comment: "c", origin: .api, updatedAt: t0)
        try state.silences.upsert(silence, now: t0)
        let rebased = state.rebased(at: t0, sources: [source])
        #expect(rebased.alerts[memory]?.state.lastNotified == t0)
        #expect(rebased.alerts[memory]?.state.since == t0.addingTimeInterval(-60))
        #expect(rebased.silences == state.silences)
    }

    /// Every date a source remembers moves with a step, however deep in its memory.
    @Test func sourceMemoriesMoveWithAStep() throws {
        let source = ContainerSource(
            collector: DockerCollector(
                client: DockerClient(socketPath: "/nonexistent", timeout: .seconds(1)), names: ["db"], project: .none),
            grace: .seconds(120), restartLoop: .init(count: 3, window: .seconds(600)), texts: Texts(.en),
            clock: ContinuousClock())
        var memory = ContainerSource.Memory()
        memory.containers["db"] = .init(restartCounts: [.init(at: t0, count: 1)], restartingSince: t0)
        let data = try JSONEncoder().encode(memory)
        let moved = try #require(source.shiftedMemory(data, by: 7_200))
        let decoded = try JSONDecoder().decode(ContainerSource.Memory.self, from: moved)
        #expect(decoded.containers["db"]?.restartCounts.first?.at == t0.addingTimeInterval(7_200))
        #expect(decoded.containers["db"]?.restartingSince == t0.addingTimeInterval(7_200))
    }
}
