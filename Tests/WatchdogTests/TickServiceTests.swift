import Collectors
import Foundation
import Logging
import Notify
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import TestSupport
import Testing

@testable import Watchdog

@Suite struct TickServiceTests {
    typealias Instant = ManualClock.Instant

    @Test func ticksFollowAFixedGridWithoutDrift() {
        let start = Instant(offset: .zero)
        // A tick that took 3 s of a 30 s slot does not push the next one back.
        let next = nextTickStart(scheduled: start, finishedAt: Instant(offset: .seconds(3)), interval: .seconds(30))
        #expect(next == Instant(offset: .seconds(30)))
    }

    @Test func aTickThatOverranItsSlotIsFollowedAtOnceNeverConcurrently() {
        let start = Instant(offset: .zero)
        let finished = Instant(offset: .seconds(45))
        let next = nextTickStart(scheduled: start, finishedAt: finished, interval: .seconds(30))
        #expect(next == finished)
    }

    /// Records when each tick starts and ends on the manual clock.
    final class Timeline: Sendable {
        private let events = Mutex<[String]>([])
        func add(_ event: String) { events.withLock { $0.append(event) } }
        var all: [String] { events.withLock { $0 } }
    }

    func service(
        _ sources: [any Source], clock: ManualClock, interval: Duration = .seconds(30),
        collectTimeout: Duration = .seconds(10), doorbell: SourceDoorbell? = nil,
        onTick: @escaping @Sendable (TickReport) async -> Void = { _ in }
    ) -> TickService<ManualClock> {
        let settings = DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: nil, processCooldown: nil),
            texts: Texts(.en))
        let engine = TickEngine(sources: sources, settings: settings, collectTimeout: collectTimeout, clock: clock)
        return TickService(
            engine: engine, delivery: Delivery(outboxes: [], digestAfter: 5),
            store: StateStore(path: nil, engine: EngineState(), logger: Logger(label: "test"), now: { Date() }),
            clock: clock,
            interval: interval, shutdownGrace: .seconds(2),
            wallClock: { Date(timeIntervalSince1970: 1_800_000_000 + clock.now.offset.seconds) },
            logger: Logger(label: "test"), doorbell: doorbell, onTick: onTick)
    }

    @Test func firstTickRunsAtOnceThenOnePerIntervalAndASlowTickDelaysTheNextWithoutOverlap() async throws {
        let clock = ManualClock()
        let timeline = Timeline()
        let running = Counter()
        let overlaps = Counter()
        let ticks = Counter()
        let source = FakeSource("slow", owns: .families([.diskFull])) {
            if running.increment() > 1 { overlaps.increment() }
            let tick = ticks.increment()
            timeline.add("start \(tick) at \(Int(clock.now.offset.seconds))")
            // The second tick takes 40 s: longer than the 30 s interval.
            if tick == 2 { try await clock.sleep(for: .seconds(40)) }
            running.decrement()
            return []
        }
        let service = service([source], clock: clock, collectTimeout: .seconds(60))
        try await testGracefulShutdown { trigger in
            let task = Task { try await service.run() }
            await clock.waitForSleeper(until: .seconds(30))  // tick 1 done at 0 s
            clock.advance(by: .seconds(30))
            await clock.waitForSleeper(until: .seconds(70))  // tick 2 working until 70 s
            clock.advance(by: .seconds(40))
            // Tick 2 ended at 70 s, past its slot: tick 3 runs at once, then the grid goes on.
            await clock.waitForSleeper(until: .seconds(100))
            clock.advance(by: .seconds(30))
            await clock.waitForSleeper(until: .seconds(130))
            trigger.triggerGracefulShutdown()
            try await task.value
        }
        #expect(timeline.all == ["start 1 at 0", "start 2 at 30", "start 3 at 70", "start 4 at 100"])
        #expect(overlaps.count == 0)
    }

    @Test func shutdownDuringAHangingCollectorEndsTheTickAfterTheGraceAndStops() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let reports = Counter()
        let hanging = FakeSource("hanging", owns: .families([.diskFull])) {
            await gate.wait()  // ignores cancellation
            return []
        }
        let lastStatus = Mutex<String?>(nil)
        let service = service([hanging], clock: clock) { report in
            reports.increment()
            lastStatus.withLock { $0 = report.collectors.first?.status }
        }
        try await testGracefulShutdown { trigger in
            let task = Task { try await service.run() }
            await clock.waitForSleeper(until: .seconds(10))  // the collector's timeout
            trigger.triggerGracefulShutdown()
            await clock.waitForSleeper(until: .seconds(2))  // the shutdown grace
            clock.advance(by: .seconds(2))
            try await task.value
        }
        #expect(reports.count == 1)
        #expect(lastStatus.withLock { $0 } == "cancelled")
        gate.open()
    }

    @Test func aRungSourceRunsAloneBetweenTicksAndItsFailuresAreLeftForTheTick() async throws {
        let clock = ManualClock()
        let doorbell = SourceDoorbell()
        let down = Flag()
        let failing = Flag()
        let eventRuns = Counter()
        let diskRuns = Counter()
        let events = FakeSource("docker", owns: .families([.containerDown])) {
            eventRuns.increment()
            if failing.isSet { throw CollectorError("docker: boom") }
            return [signal(SignalKey(.containerDown, "db"), active: down.isSet, severity: .critical)]
        }
        let disk = FakeSource("disk", owns: .families([.diskFull])) {
            diskRuns.increment()
            return []
        }
        let service = service([events, disk], clock: clock, doorbell: doorbell)
        try await testGracefulShutdown { trigger in
            let task = Task { try await service.run() }
            await clock.waitForSleeper(until: .seconds(30))  // the first tick, at 0 s
            #expect(eventRuns.count == 1 && diskRuns.count == 1)

            // The container died between ticks: its source alone runs, at once, and fires.
            down.set(true)
            doorbell.ring("docker")
            #expect(
                await eventually {
                    await service.engine.state.alerts[SignalKey(.containerDown, "db")]?.state.firing == true
                })
            #expect(eventRuns.count == 2 && diskRuns.count == 1)

            // A failed run between ticks counts for nothing: collector_failed waits for ticks.
            failing.set(true)
            for _ in 0..<5 {
                let before = eventRuns.count
                doorbell.ring("docker")
                #expect(await eventually { eventRuns.count == before + 1 })
            }
            await clock.waitForSleeper(until: .seconds(30))
            #expect(await service.engine.state.collectors["docker"] == nil)

            // The grid is unchanged: the next tick runs both at 30 s.
            clock.advance(by: .seconds(30))
            await clock.waitForSleeper(until: .seconds(60))
            #expect(diskRuns.count == 2)
            #expect(await service.engine.state.collectors["docker"]?.consecutiveFailures == 1)
            trigger.triggerGracefulShutdown()
            try await task.value
        }
    }

    @Test func ringsWhileNobodyWaitsAreKeptAndTakenOnce() async {
        let doorbell = SourceDoorbell()
        doorbell.ring("docker")
        doorbell.ring("docker")
        doorbell.ring("ec2")
        await doorbell.wait()  // returns at once: rung
        #expect(doorbell.take() == ["docker", "ec2"])
        #expect(doorbell.take().isEmpty)
        let waiting = Task { await doorbell.wait() }
        waiting.cancel()
        await waiting.value  // a cancelled wait returns
    }
}
