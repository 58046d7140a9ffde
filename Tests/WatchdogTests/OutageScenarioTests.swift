import Foundation
import Logging
import Notify
import Synchronization
import TestSupport
import Testing

@testable import Watchdog

/// A 30-minute Telegram outage with 40 alerts firing at once, played on a manual clock
/// against the Telegram stand-in: what the chat sees once the API is back.
@Suite(.serialized) struct OutageScenarioTests {
    static let token = "555:OUTAGE-token"

    @Test func fortyAlertsDuringAThirtyMinuteOutageArriveAsTwoDigestsInOrderWithNothingLost() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let clock = ManualClock()
        let epoch = Date(timeIntervalSince1970: 1_800_000_000)
        let wallClock: @Sendable () -> Date = { epoch.addingTimeInterval(clock.now.offset.seconds) }
        let logger = LogRecorder().logger()

        let sources = (0..<40).map { index in
            let key = SignalKey(.containerDown, "worker-\(index)")
            return FakeSource(key.description, owns: .key(key)) {
                [signal(key, active: true, detail: "exited with code 137", severity: .critical)]
            }
        }
        let settings = DecisionSettings(
            instance: "prod-1", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(1800), processCooldown: nil), texts: Texts(.en))
        let engine = TickEngine(sources: sources, settings: settings, collectTimeout: .seconds(10), clock: clock)
        let telegram = TelegramChannel(
            settings: TelegramSettings(
                token: Self.token, chatID: "-100777", threadID: nil, silentResolved: true, apiBaseURL: standIn.baseURL),
            language: .en, post: HTTPPost(timeout: .seconds(5)), logger: logger)
        let delivery = Delivery(
            outboxes: [ChannelOutbox(channel: telegram, clock: clock, random: { 0.5 }, logger: logger)], digestAfter: 5)
        let store = StateStore(path: nil, engine: EngineState(), logger: logger, now: { Date() })
        let ticks = TickService(
            engine: engine, delivery: delivery, store: store, clock: clock, interval: .seconds(30),
            wallClock: wallClock, logger: logger)
        let worker = Task { await delivery.run() }
        defer { worker.cancel() }

        standIn.setFailing(true)
        var restoredAt: Duration?
        var drainedAt: Duration?
        for step in 0...80 {  // 40 minutes of 30-second ticks
            if step == 60 {  // 30 minutes in: the API is back
                standIn.setFailing(false)
                restoredAt = clock.now.offset
            }
            _ = await ticks.tick()
            try await settle(delivery, clock: clock)
            if restoredAt != nil, drainedAt == nil, await delivery.outboxes[0].pendingCount == 0 {
                drainedAt = clock.now.offset
            }
            clock.advance(by: .seconds(30))
            try await settle(delivery, clock: clock)
        }

        let accepted = standIn.accepted
        // Fire digest at 0 s, repeat digest at 30 min: two messages, in that order.
        #expect(accepted.count == 2)
        #expect(accepted.first?.text.hasPrefix("📣 <b>40 notifications</b> · prod-1\n🔴") == true)
        #expect(accepted.last?.text.hasPrefix("📣 <b>40 notifications</b> · prod-1\n🔁") == true)
        for message in accepted {
            #expect((0..<40).allSatisfy { message.text.contains("container_down:worker-\($0)</code>") })
        }
        let delay = try #require(drainedAt.flatMap { drained in restoredAt.map { drained - $0 } })
        // Backoff is capped at 5 minutes: once the API is back, the queue drains within one cap.
        #expect(delay <= .seconds(300))
        let counters = await delivery.outboxes[0].counters
        #expect(counters.delivered == 2)
        #expect(counters.dropped == 0)
        print(
            "outage scenario: \(accepted.count) messages, \(standIn.server.requests.count) requests,"
                + " \(counters.retried) retries, drained \(delay.seconds) s after the API came back")
    }

    /// Lets the worker act on the current manual time: waits (in real time, it talks
    /// HTTP) until it sleeps on the clock again or has nothing to send. Fails the test
    /// when neither happens within 30 s, instead of going on as if it had.
    func settle(_ delivery: Delivery<ManualClock>, clock: ManualClock) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if await delivery.outboxes[0].pendingCount == 0 || clock.sleeperCount > 0 { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw SettleFailure(pending: await delivery.outboxes[0].pendingCount)
    }

    struct SettleFailure: Error, CustomStringConvertible {
        let pending: Int
        var description: String { "the outbox neither slept nor emptied within 30 s (\(pending) pending)" }
    }
}
