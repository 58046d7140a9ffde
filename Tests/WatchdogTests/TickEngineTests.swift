import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

@Suite struct TickEngineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let settings = DecisionSettings(
        instance: "host-1", collectorFailedAfter: 2,
        policies: .standard(cooldown: .seconds(1800), processCooldown: nil), texts: Texts(.en))
    let memory = SignalKey(.hostMemory)

    func engine(_ sources: [any Source], clock: ManualClock, timeout: Duration = .seconds(10))
        -> TickEngine<ManualClock>
    {
        TickEngine(sources: sources, settings: settings, collectTimeout: timeout, clock: clock)
    }

    func memorySource(active: Bool = true) -> FakeSource {
        FakeSource("memory", owns: .families([.hostMemory])) { [memory] in [signal(memory, active: active)] }
    }

    @Test func aThrowingSourceIsAFailedOutcomeAndTheOthersStillCount() async {
        let clock = ManualClock()
        let broken = FakeSource("broken", owns: .families([.diskFull])) {
            throw CollectorErrorForTest("disk exploded")
        }
        let engine = engine([broken, memorySource()], clock: clock)
        let outcomes = await engine.collect(now: t0)
        #expect(outcomes.map(\.source) == ["broken", "memory"])
        #expect(outcomes[0].status == .failed("disk exploded"))
        #expect(outcomes[1].status == .ok)
        let evaluation = await engine.conclude(outcomes, now: t0)
        #expect(evaluation.notifications.map(\.key) == ["host_memory"])
    }

    @Test func aHangingSourceTimesOutWhileTheRestOfTheTickCompletes() async {
        let clock = ManualClock()
        let gate = Gate()
        let hanging = FakeSource("hanging", owns: .families([.diskFull])) {
            await gate.wait()  // ignores cancellation, like a blocked system call
            return []
        }
        let engine = engine([hanging, memorySource()], clock: clock, timeout: .seconds(10))
        async let outcomes = engine.collect(now: t0)
        await clock.waitForSleepers(1)  // only the hanging source's timer is left
        clock.advance(by: .seconds(10))
        let result = await outcomes
        #expect(result[0].status == .failed("timed out after 10s"))
        #expect(result[1].status == .ok)
        gate.open()
    }

    @Test func aSourceStillStuckFromAnEarlierTickIsNotStartedAgain() async {
        let clock = ManualClock()
        let gate = Gate()
        let starts = Counter()
        let hanging = FakeSource("hanging", owns: .families([.diskFull])) {
            starts.increment()
            await gate.wait()
            return []
        }
        let engine = engine([hanging], clock: clock, timeout: .seconds(1))
        async let first = engine.collect(now: t0)
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        _ = await first

        let second = await engine.collect(now: t0.addingTimeInterval(30))
        #expect(second[0].status == .failed("its previous run has not returned yet (stuck)"))
        #expect(starts.count == 1)

        gate.open()
        // Once the stuck run returns, the source runs again.
        var third: [SourceOutcome] = []
        for _ in 0..<10_000 where third.first?.status != .ok {
            await Task.yield()
            third = await engine.collect(now: t0.addingTimeInterval(60))
        }
        #expect(third.first?.status == .ok)
        #expect(starts.count == 2)
    }

    @Test func sourcesRunConcurrentlySoATickTakesOneTimeoutNotTheirSum() async {
        let clock = ManualClock()
        let gate = Gate()
        let sources = (0..<5).map { index in
            FakeSource("hanging-\(index)", owns: .key(SignalKey(.dependencyDown, "d\(index)"))) {
                await gate.wait()
                return []
            }
        }
        let engine = engine(sources, clock: clock, timeout: .seconds(5))
        async let outcomes = engine.collect(now: t0)
        // All five are waiting at the same time: each has its own timer running.
        await clock.waitForSleepers(5)
        clock.advance(by: .seconds(5))
        let result = await outcomes
        #expect(result.allSatisfy { $0.status == .failed("timed out after 5s") })
        gate.open()
    }

    @Test func cancellingTheTickEndsEvenAHangingSourceAsCancelled() async {
        let clock = ManualClock()
        let gate = Gate()
        let hanging = FakeSource("hanging", owns: .families([.diskFull])) {
            await gate.wait()
            return []
        }
        let engine = engine([hanging], clock: clock)
        let task = Task { await engine.collect(now: t0) }
        await clock.waitForSleepers(1)
        task.cancel()
        let result = await task.value
        #expect(result[0].status == .cancelled)
        gate.open()
    }

    @Test func aSourceWithAnIntervalRunsOnlyWhenDueAndItsSignalsStandBetweenRuns() async {
        let clock = ManualClock()
        let runs = Counter()
        let ec2 = SignalKey(.ec2State, "i-1")
        let slow = FakeSource("ec2", owns: .families([.ec2State]), interval: .seconds(300)) {
            runs.increment()
            return [signal(ec2, active: true)]
        }
        let engine = engine([slow], clock: clock)
        var statuses: [SourceOutcome.Status] = []
        var notified: [[NotificationAction]] = []
        for second in stride(from: 0, through: 330, by: 30) {
            let now = t0.addingTimeInterval(Double(second))
            let outcomes = await engine.collect(now: now)
            statuses.append(outcomes[0].status)
            notified.append(await engine.conclude(outcomes, now: now).notifications.map(\.action))
            clock.advance(by: .seconds(30))
        }
        #expect(runs.count == 2)  // at 0 s and at 300 s
        #expect(statuses[0] == .ok && statuses[10] == .ok)
        #expect(statuses[1...9].allSatisfy { $0 == .notDue })
        #expect(notified[0] == [.fire])
        #expect(notified.dropFirst().allSatisfy { $0.isEmpty })
        #expect(await engine.state.alerts[ec2]?.state.firing == true)
    }

    /// Intervals run on the monotonic clock: a wall clock stepped back an hour (NTP, a
    /// VM resumed) neither stops the source nor makes it run early.
    @Test func aWallClockSteppedBackDoesNotHoldBackASourceWithAnInterval() async {
        let clock = ManualClock()
        let runs = Counter()
        let slow = FakeSource("ec2", owns: .families([.ec2State]), interval: .seconds(300)) {
            runs.increment()
            return []
        }
        let engine = engine([slow], clock: clock)
        var statuses: [SourceOutcome.Status] = []
        for (tick, wall) in [0.0, 150, -3600, -3300, -3290].enumerated() {
            clock.advance(by: tick == 0 ? .zero : .seconds(150))
            statuses.append(await engine.collect(now: t0.addingTimeInterval(wall))[0].status)
        }
        // Monotonic 0, 150, 300, 450, 600 s: due at 0, 300 and 600.
        #expect(statuses == [.ok, .notDue, .ok, .notDue, .ok])
        #expect(runs.count == 3)
    }

    @Test func unknownKeepsStateAcrossFailedTicksAndTheEngineRemembersIt() async {
        let clock = ManualClock()
        let fail = Counter()
        let flaky = FakeSource("memory", owns: .families([.hostMemory])) { [memory] in
            if fail.increment() > 1 { throw CollectorErrorForTest("meminfo unreadable") }
            return [signal(memory, active: true)]
        }
        let engine = engine([flaky], clock: clock)
        var actions: [[String]] = []
        for tick in 0..<3 {
            let now = t0.addingTimeInterval(Double(tick) * 30)
            let outcomes = await engine.collect(now: now)
            actions.append(await engine.conclude(outcomes, now: now).notifications.map { "\($0.key) \($0.action)" })
        }
        #expect(actions == [["host_memory fire"], [], ["collector_failed:memory fire"]])
        #expect(await engine.state.alerts[memory]?.state.firing == true)
    }
}

struct CollectorErrorForTest: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
