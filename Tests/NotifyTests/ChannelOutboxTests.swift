import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Notify

/// A channel whose answers a test scripts, and which records every attempt.
final class ScriptedChannel: NotificationChannel {
    let name = "scripted"
    let pacing: Pacing
    let usesDigests = true
    private let answers: Mutex<[SendOutcome]>
    private let attempts = Mutex<[(id: String, at: Duration)]>([])
    private let clock: ManualClock

    init(clock: ManualClock, pacing: Pacing = .unlimited, answers: [SendOutcome] = []) {
        self.clock = clock
        self.pacing = pacing
        self.answers = Mutex(answers)
    }

    func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        switch batch {
        case .single(let notification):
            [OutboundMessage(id: notification.id, body: notification.title)]
        case .digest(let notifications):
            [OutboundMessage(id: "digest:\(notifications[0].id)", body: "\(notifications.count) notifications")]
        }
    }

    /// Answers from the script, then `.delivered` once the script is used up.
    func send(_ message: OutboundMessage) async -> SendOutcome {
        attempts.withLock { $0.append((message.id, clock.now.offset)) }
        return answers.withLock { $0.isEmpty ? .delivered : $0.removeFirst() }
    }

    var attemptLog: [(id: String, at: Duration)] { attempts.withLock { $0 } }
    var attemptIDs: [String] { attemptLog.map(\.id) }
}

/// A channel whose one send waits until the test opens it, or until it is cancelled.
final class GatedChannel: NotificationChannel {
    let name = "gated"
    let pacing = Pacing.unlimited
    let usesDigests = false
    private let state = Mutex<(started: Bool, open: Bool, cancelled: Bool)>((false, false, false))

    func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        batch.notifications.map { OutboundMessage(id: $0.id, body: $0.title) }
    }

    func send(_ message: OutboundMessage) async -> SendOutcome {
        state.withLock { $0.started = true }
        while !state.withLock({ $0.open }) {
            do { try await Task.sleep(for: .milliseconds(5)) } catch {
                state.withLock { $0.cancelled = true }
                return .retryable(reason: "cancelled", retryAfter: nil)
            }
        }
        return .delivered
    }

    func open() { state.withLock { $0.open = true } }
    var started: Bool { state.withLock { $0.started } }
    var sawCancellation: Bool { state.withLock { $0.cancelled } }
}

func alert(_ id: String) -> AlertNotification {
    AlertNotification(
        id: id, action: .fire, severity: .warning, family: "host_memory", entity: nil, title: "title \(id)",
        detail: "", instance: "h", startedAt: Date(timeIntervalSince1970: 0), at: Date(timeIntervalSince1970: 0))
}

@Suite struct ChannelOutboxTests {
    let logger = Logger(label: "test")

    func outbox(_ channel: ScriptedChannel, clock: ManualClock, pending: [OutboundMessage] = [])
        -> ChannelOutbox<ManualClock>
    {
        ChannelOutbox(channel: channel, pending: pending, clock: clock, random: { 0.5 }, logger: logger)
    }

    /// Runs the worker in the background for the duration of `body`.
    func withWorker(_ outbox: ChannelOutbox<ManualClock>, _ body: () async throws -> Void) async rethrows {
        let worker = Task { await outbox.run() }
        defer { worker.cancel() }
        try await body()
    }

    @Test func stagedMessagesAreInTheSnapshotButNotSentUntilReleased() async {
        let clock = ManualClock()
        let channel = ScriptedChannel(clock: clock)
        let outbox = outbox(channel, clock: clock)
        await withWorker(outbox) {
            await outbox.stage([alert("a"), alert("b")], digestAfter: 5)
            #expect(await outbox.snapshot().map(\.id) == ["a", "b"])
            for _ in 0..<1_000 { await Task.yield() }
            #expect(channel.attemptIDs.isEmpty)
            await outbox.release()
            await waitUntil { await outbox.pendingCount == 0 }
        }
        #expect(channel.attemptIDs == ["a", "b"])
        #expect(await outbox.counters.delivered == 2)
    }

    @Test func moreThanDigestAfterNotificationsBecomeOneDigest() async {
        let clock = ManualClock()
        let outbox = outbox(ScriptedChannel(clock: clock), clock: clock)
        await outbox.stage((0..<6).map { alert("n\($0)") }, digestAfter: 5)
        #expect(await outbox.snapshot().map(\.body) == ["6 notifications"])
        await outbox.stage((0..<5).map { alert("m\($0)") }, digestAfter: 5)
        #expect(await outbox.snapshot().count == 6)
    }

    @Test func retryableFailuresRetryTheSameMessageWithDoublingBackoffKeepingOrder() async {
        let clock = ManualClock()
        let failure = SendOutcome.retryable(reason: "503", retryAfter: nil)
        let channel = ScriptedChannel(clock: clock, answers: [failure, failure, failure])
        let outbox = outbox(channel, clock: clock)
        await withWorker(outbox) {
            await outbox.stage([alert("a"), alert("b")], digestAfter: 5)
            await outbox.release()
            // Jitter is pinned to the middle (unit 0.5), so waits are exactly 1 s, 2 s, 4 s.
            for wait in [1, 2, 4] {
                await clock.waitForSleepers(1)
                clock.advance(by: .seconds(wait))
            }
            await waitUntil { await outbox.pendingCount == 0 }
        }
        #expect(channel.attemptIDs == ["a", "a", "a", "a", "b"])
        #expect(channel.attemptLog.map(\.at) == [.zero, .seconds(1), .seconds(3), .seconds(7), .seconds(7)])
        #expect(await outbox.counters.retried == 3)
    }

    @Test func retryAfterFromTheAPIIsHonouredExactly() async {
        let clock = ManualClock()
        let channel = ScriptedChannel(clock: clock, answers: [.retryable(reason: "429", retryAfter: 17)])
        let outbox = outbox(channel, clock: clock)
        await withWorker(outbox) {
            await outbox.stage([alert("a")], digestAfter: 5)
            await outbox.release()
            await clock.waitForSleeper(until: .seconds(17))
            clock.advance(by: .seconds(17))
            await waitUntil { await outbox.pendingCount == 0 }
        }
        #expect(channel.attemptLog.map(\.at) == [.zero, .seconds(17)])
    }

    @Test func permanentFailuresAreDroppedCountedAndTheNextMessageGoes() async {
        let clock = ManualClock()
        let channel = ScriptedChannel(clock: clock, answers: [.permanent(reason: "400 chat not found")])
        let outbox = outbox(channel, clock: clock)
        await withWorker(outbox) {
            await outbox.stage([alert("a"), alert("b")], digestAfter: 5)
            await outbox.release()
            await waitUntil { await outbox.pendingCount == 0 }
        }
        #expect(channel.attemptIDs == ["a", "b"])
        #expect(await outbox.counters.rejected == 1)
        #expect(await outbox.counters.delivered == 1)
    }

    @Test func atMostAThousandArePendingAndTheOldestAreDroppedAndCounted() async {
        let clock = ManualClock()
        let outbox = outbox(ScriptedChannel(clock: clock), clock: clock)
        await outbox.stage((0..<1_003).map { alert("n\($0)") }, digestAfter: 2_000)
        await outbox.release()
        let pending = await outbox.snapshot()
        #expect(pending.count == 1_000)
        #expect(pending.first?.id == "n3")
        #expect(await outbox.counters.dropped == 3)
    }

    @Test func messagesLoadedFromTheStateFileAreSentFirstInOrder() async {
        let clock = ManualClock()
        let channel = ScriptedChannel(clock: clock)
        let loaded = [OutboundMessage(id: "old1", body: ""), OutboundMessage(id: "old2", body: "")]
        let outbox = outbox(channel, clock: clock, pending: loaded)
        await withWorker(outbox) {
            await outbox.stage([alert("new")], digestAfter: 5)
            await outbox.release()
            await waitUntil { await outbox.pendingCount == 0 }
        }
        #expect(channel.attemptIDs == ["old1", "old2", "new"])
    }

    @Test func pacingSpacesMessagesAndLimitsAWindow() async {
        let clock = ManualClock()
        let pacing = Pacing(minimumGap: .seconds(1), windowLimit: 3, window: .seconds(60))
        let channel = ScriptedChannel(clock: clock, pacing: pacing)
        let outbox = outbox(channel, clock: clock)
        await withWorker(outbox) {
            await outbox.stage((0..<4).map { alert("n\($0)") }, digestAfter: 10)
            await outbox.release()
            for wake in [1, 2, 60] {
                await clock.waitForSleeper(until: .seconds(wake))
                clock.advance(by: .seconds(wake) - clock.now.offset)
            }
            await waitUntil { await outbox.pendingCount == 0 }
        }
        #expect(channel.attemptLog.map(\.at) == [.zero, .seconds(1), .seconds(2), .seconds(60)])
    }

    @Test func everyDeliveryAndDropAsksForTheStateFileToBeWritten() async {
        let clock = ManualClock()
        let channel = ScriptedChannel(clock: clock, answers: [.permanent(reason: "400")])
        let outbox = outbox(channel, clock: clock)
        let writes = Counter()
        await outbox.setPersistence { writes.increment() }
        await withWorker(outbox) {
            await outbox.stage([alert("a"), alert("b")], digestAfter: 5)
            await outbox.release()
            await waitUntil { await outbox.pendingCount == 0 }
        }
        #expect(writes.count == 2)
    }

    /// A shutdown during a send that the API is answering: the answer is waited for and
    /// recorded, so the message is not sent again after the restart.
    @Test func aSendOnTheWireWhenShutdownIsAskedFinishesAndIsRecorded() async {
        let channel = GatedChannel()
        let outbox = ChannelOutbox(channel: channel, clock: ManualClock(), random: { 0.5 }, logger: logger)
        let writes = Counter()
        await outbox.setPersistence { writes.increment() }
        let worker = Task { await outbox.run() }
        await outbox.stage([alert("a")], digestAfter: 5)
        await outbox.release()
        #expect(await eventually { channel.started })
        worker.cancel()
        channel.open()
        await worker.value
        #expect(await outbox.counters.delivered == 1)
        #expect(await outbox.pendingCount == 0)
        #expect(writes.count == 1)
    }

    /// A send that hangs past the grace is cancelled and stays pending for the next start.
    @Test func aSendStillHangingAfterTheGraceIsCancelledAndKept() async {
        let channel = GatedChannel()
        let outbox = ChannelOutbox(channel: channel, clock: ManualClock(), random: { 0.5 }, logger: logger)
        let worker = Task { await outbox.run() }
        await outbox.stage([alert("a")], digestAfter: 5)
        await outbox.release()
        #expect(await eventually { channel.started })
        worker.cancel()
        await worker.value
        #expect(channel.sawCancellation)
        #expect(await outbox.counters.delivered == 0)
        #expect(await outbox.snapshot().map(\.id) == ["a"])
    }

    @Test(arguments: [
        (1, nil as Double?, 1.0), (2, nil, 2), (3, nil, 4), (9, nil, 256), (10, nil, 300), (40, nil, 300),
        (1, 7, 7), (5, 0.5, 0.5), (1, 99_999, 3_600),
    ])
    func backoffDoublesFromOneSecondUpToFiveMinutesAndRetryAfterWins(
        failures: Int, retryAfter: Double?, seconds: Double
    ) {
        #expect(RetryPolicy().delay(afterFailures: failures, retryAfter: retryAfter, unit: 0.5).seconds == seconds)
    }

    @Test func jitterStaysWithinTwentyPercentAndUnderTheCap() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterFailures: 3, retryAfter: nil, unit: 0).seconds == 3.2)
        #expect(policy.delay(afterFailures: 3, retryAfter: nil, unit: 0.999_999).seconds == 4.8)
        #expect(policy.delay(afterFailures: 20, retryAfter: nil, unit: 0.999_999).seconds == 300)
    }

    @Test func pacingIsAPureFunctionOfRecentSends() {
        let telegramGroup = Pacing(minimumGap: .seconds(1), windowLimit: 20, window: .seconds(60))
        #expect(telegramGroup.earliestNextSend(after: []) == .zero)
        #expect(telegramGroup.earliestNextSend(after: [.seconds(5)]) == .seconds(6))
        let twenty = (0..<20).map { Duration.seconds($0) }
        #expect(telegramGroup.earliestNextSend(after: twenty) == .seconds(60))
    }
}

/// Yields until `condition` holds; for state changed by other tasks, never a real sleep.
/// Records a failure when it gives up, so a test never goes on as if it had held.
func waitUntil(
    _ condition: () async -> Bool, sourceLocation: SourceLocation = #_sourceLocation
) async {
    for _ in 0..<1_000_000 {
        if await condition() { return }
        await Task.yield()
    }
    Issue.record("the condition did not hold after 1,000,000 yields", sourceLocation: sourceLocation)
}

extension ChannelOutbox {
    /// Stages a tick that has only these transitions.
    func stage(_ notifications: [AlertNotification], digestAfter: Int) {
        stage(
            TickNotifications(notifications: notifications, now: Date(timeIntervalSince1970: 0)),
            digestAfter: digestAfter)
    }
}

/// Delivers one notification through an outbox to a channel whose server is gone, until
/// the first failed attempt, and returns everything that was logged on the way: the
/// secret-leak tests search it.
func logsOfAFailedDelivery(through channel: any NotificationChannel) async -> [LogRecorder.Record] {
    let recorder = LogRecorder()
    let outbox = ChannelOutbox(channel: channel, clock: ManualClock(), random: { 0.5 }, logger: recorder.logger())
    let worker = Task { await outbox.run() }
    await outbox.stage([notification("leak-check")], digestAfter: 5)
    await outbox.release()
    #expect(await eventually { await outbox.counters.retried > 0 })
    worker.cancel()
    #expect(recorder.all.contains { $0.message == "notification not delivered, will retry" })
    return recorder.all
}
