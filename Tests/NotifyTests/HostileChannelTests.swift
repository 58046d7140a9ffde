import Foundation
import Logging
import TestSupport
import Testing

@testable import Notify

/// A chat API (or anything between it and the watchdog) that misbehaves, and a storm
/// of alerts: neither may hold a channel or flood the chat.
@Suite struct HostileChannelTests {
    static let token = "123456:SECRET-token_value"

    func telegram(_ standIn: TelegramStandIn, timeout: Duration, logger: Logger) -> TelegramChannel {
        TelegramChannel(
            settings: TelegramSettings(
                token: Self.token, chatID: "-1001", threadID: nil, silentResolved: true, apiBaseURL: standIn.baseURL),
            language: .en, post: HTTPPost(timeout: timeout), logger: logger)
    }

    /// A 200 that arrives one byte every 200 ms used to hold the send until the whole
    /// body had trickled in (30.8 s with a 3 s timeout): the timeout is now a deadline
    /// for the whole request, body included, and the send is a retryable timeout.
    @Test func anAnswerTricklingInIsCutAtTheTimeoutAndRetried() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        standIn.inject([.trickle(.milliseconds(200))])
        let recorder = LogRecorder()
        let outcome = await telegram(standIn, timeout: .milliseconds(600), logger: recorder.logger())
            .send(OutboundMessage(id: "x", body: "hello"))
        #expect(outcome == .retryable(reason: "timed out", retryAfter: nil))
        #expect(!recorder.text.contains(Self.token))
    }

    /// The same deadline for a plain POST (Slack, webhooks).
    @Test func aTricklingWebhookIsCutAtTheTimeout() async throws {
        let server = try await StubHTTPServer.start { _ in
            StubResponse(status: 200, body: String(repeating: "x", count: 100), trickle: .milliseconds(100))
        }
        defer { Task { await server.stop() } }
        let url = server.baseURL + "/hooks/secret-path"
        let result = await HTTPPost(timeout: .milliseconds(500)).send(url: url, body: [], secrets: [url])
        guard case .failed(let reason) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(reason == "timed out")
    }

    /// 50,000 keys firing in one tick used to become one digest split into about 650
    /// Telegram messages (11 minutes of chat); it is one message now.
    @Test func aStormOfFiftyThousandKeysIsOneTelegramMessage() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let logger = LogRecorder().logger()
        let clock = ContinuousClock()
        let outbox = ChannelOutbox(
            channel: telegram(standIn, timeout: .seconds(5), logger: logger), clock: clock, logger: logger)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let storm = (0..<50_000).map { index in
            AlertNotification(
                id: "rule:q{i=\"\(index)\"}@0:fire", action: .fire, severity: index % 7 == 0 ? .critical : .warning,
                family: index % 3 == 0 ? "rule" : "agent_hung", entity: "series-\(index)",
                title: "Series \(index) <is> high & rising", detail: "value \(index)", instance: "prod-1",
                startedAt: start, at: start)
        }
        await outbox.stage(TickNotifications(notifications: storm, now: start), digestAfter: 5)
        await outbox.release()
        let worker = Task { await outbox.run() }
        defer { worker.cancel() }
        #expect(await eventually(timeout: .seconds(20)) { await outbox.pendingCount == 0 })

        let accepted = standIn.accepted
        #expect(accepted.count == 1)
        let text = try #require(accepted.first?.text)
        // The stand-in accepted it, so it is valid HTML within 4096 visible characters.
        #expect(text.hasPrefix("📣 <b>50000 notifications</b> · prod-1\n🔴 FIRING 50000\n"))
        #expect(text.contains("<code>agent_hung</code> 33333 (warning 28571, critical 4762)"))
        #expect(text.contains("<code>rule</code> 16667 (warning 14286, critical 2381)"))
        #expect(text.contains("more: GET /alerts"))
    }

    /// A thousand pending digests for a dead webhook must not become a state file of
    /// hundreds of megabytes: the outbox keeps the newest that fit its byte capacity and
    /// counts the rest as dropped; a single message larger than that still stays.
    @Test func pendingMessagesAreBoundedInBytesNewestKept() async throws {
        let clock = ManualClock()
        let big = String(repeating: "x", count: 10 * 1024)
        let pending = (0..<1_000).map { OutboundMessage(id: "m\($0)", body: big) }
        let outbox = ChannelOutbox(
            channel: ScriptedChannel(clock: clock), pending: pending, clock: clock, logger: Logger(label: "test"))
        let kept = await outbox.snapshot()
        #expect(kept.last?.id == "m999")
        #expect(kept.map(\.body.utf8.count).reduce(0, +) <= ChannelOutbox<ManualClock>.byteCapacity)
        #expect(kept.count == ChannelOutbox<ManualClock>.byteCapacity / (10 * 1024))
        #expect(await outbox.counters.dropped == 1_000 - kept.count)

        let huge = OutboundMessage(id: "huge", body: String(repeating: "y", count: 3 * 1024 * 1024))
        let alone = ChannelOutbox(
            channel: ScriptedChannel(clock: clock), pending: pending + [huge], clock: clock, logger: Logger(label: "t"))
        #expect(await alone.snapshot().map(\.id) == ["huge"])
    }
}
