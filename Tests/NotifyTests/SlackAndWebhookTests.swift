import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Notify

/// A stand-in for a Slack incoming webhook: `ok` with 200; plain-text errors as Slack
/// sends them (`invalid_payload` 400, `no_service` 404, `channel_is_archived` 410);
/// 429 with `Retry-After`; 5xx; and scripted faults.
final class SlackStandIn: Sendable {
    let server: StubHTTPServer
    let path = "/services/T000/B000/XXXXsecretXXXX"
    var url: String { server.baseURL + path }

    private init(server: StubHTTPServer) {
        self.server = server
    }

    static func start(faults: [StubResponse] = []) async throws -> SlackStandIn {
        let queue = FaultQueue(faults)
        let path = "/services/T000/B000/XXXXsecretXXXX"
        let server = try await StubHTTPServer.start { request in
            if let fault = queue.next() { return fault }
            guard request.uri == path else { return .text(404, "no_service") }
            guard let body = request.json(), let text = body["text"] as? String, !text.isEmpty else {
                return .text(400, "invalid_payload")
            }
            if text.count > 40_000 { return .text(400, "msg_too_long") }
            return .text(200, "ok")
        }
        return SlackStandIn(server: server)
    }

    final class FaultQueue: Sendable {
        private let queue: Mutex<[StubResponse]>
        init(_ faults: [StubResponse]) { queue = Mutex(faults) }
        func next() -> StubResponse? { queue.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
    }
}

@Suite struct SlackChannelTests {
    /// 20 s: the stand-ins answer on the cooperative pool every suite shares at the start
    /// of a run; the answer, not its speed, is what these tests check.
    func channel(_ url: String, timeout: Duration = .seconds(20)) -> SlackChannel {
        SlackChannel(webhookURL: url, language: .en, post: HTTPPost(timeout: timeout))
    }

    @Test func aMessageIsPostedAsEscapedMrkdwnText() async throws {
        let slack = try await SlackStandIn.start()
        defer { Task { await slack.server.stop() } }
        let channel = channel(slack.url)
        let message = channel.render(.single(notification("n1", title: "a <b> & c")))[0]
        #expect(await channel.send(message) == .delivered)
        let text = try #require(slack.server.requests.first?.json()?["text"] as? String)
        #expect(text.hasPrefix("🔴 *FIRING* · *a &lt;b&gt; &amp; c*"))
        #expect(text.contains("`disk_full:/data` · critical"))
    }

    @Test func slackErrorsAreClassifiedWithSlacksOwnWords() async throws {
        let slack = try await SlackStandIn.start(faults: [
            .text(429, "rate_limited", headers: ["Retry-After": "7"]),
            .text(500, "internal_error"),
            .text(410, "channel_is_archived"),
        ])
        defer { Task { await slack.server.stop() } }
        let channel = channel(slack.url)
        let message = OutboundMessage(id: "x", body: "hello")
        #expect(await channel.send(message) == .retryable(reason: "HTTP 429: rate_limited", retryAfter: 7))
        #expect(await channel.send(message) == .retryable(reason: "HTTP 500: internal_error", retryAfter: nil))
        #expect(await channel.send(message) == .permanent(reason: "HTTP 410: channel_is_archived"))
        #expect(
            await channel.send(OutboundMessage(id: "y", body: "")) == .permanent(reason: "HTTP 400: invalid_payload"))
        #expect(await channel.send(message) == .delivered)
    }

    @Test func theWebhookURLAppearsInNoErrorAndNoLogLine() async throws {
        let slack = try await SlackStandIn.start(faults: [.text(403, "invalid_token"), .hangs])
        let channel = channel(slack.url, timeout: .milliseconds(300))
        var outcomes: [SendOutcome] = []
        for _ in 0..<2 { outcomes.append(await channel.send(OutboundMessage(id: "x", body: "a"))) }
        await slack.server.stop()
        outcomes.append(await channel.send(OutboundMessage(id: "x", body: "a")))
        let logged = await logsOfAFailedDelivery(through: channel)
        let everything = "\(outcomes)" + logged.map(\.line).joined(separator: "\n")
        #expect(outcomes.count == 3)
        #expect(!everything.contains("XXXXsecretXXXX"))
        #expect(!everything.contains("/services/"))
    }

    @Test func retryAfterAcceptsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(HTTPPost.retryAfter(["Retry-After": "12"], now: now) == 12)
        #expect(HTTPPost.retryAfter(["Retry-After": "Fri, 15 Jan 2027 08:00:30 GMT"], now: now) == 30)
        #expect(HTTPPost.retryAfter(["Retry-After": "soon"], now: now) == nil)
        #expect(HTTPPost.retryAfter([:], now: now) == nil)
    }
}

@Suite struct WebhookTests {
    @Test func thePayloadIsTheAlertmanagerWebhookFormatVersion4() throws {
        let body = WebhookPayload.body(for: [notification("n1"), notification("n2", .resolve, key: "/var")])
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(payload["version"] as? String == "4")
        #expect(payload["status"] as? String == "firing")
        #expect(payload["receiver"] as? String == "watchdog")
        let alerts = try #require(payload["alerts"] as? [[String: Any]])
        #expect(alerts.count == 2)
        let labels = try #require(alerts[0]["labels"] as? [String: String])
        #expect(labels == ["alertname": "disk_full", "instance": "host-1", "severity": "critical", "entity": "/data"])
        #expect((alerts[0]["annotations"] as? [String: String])?["summary"] == "Disk is almost full")
        #expect(alerts[0]["startsAt"] as? String == "2027-01-15T08:00:00Z")
        #expect(alerts[0]["endsAt"] as? String == "0001-01-01T00:00:00Z")
        #expect(alerts[1]["status"] as? String == "resolved")
        #expect(alerts[1]["endsAt"] as? String == "2027-01-15T08:05:12Z")
        #expect((alerts[0]["fingerprint"] as? String)?.count == 16)
        #expect(alerts[0]["fingerprint"] as? String != alerts[1]["fingerprint"] as? String)
        #expect((payload["commonLabels"] as? [String: String])?["alertname"] == "disk_full")
        #expect((payload["commonLabels"] as? [String: String])?["entity"] == nil)
    }

    /// SPEC §5.1: what is not a problem's own fire or resolve says what it is.
    @Test func escalationsRemindersAcknowledgementsAndReportsNameTheirEvent() throws {
        func event(_ notification: AlertNotification) throws -> String? {
            let body = WebhookPayload.body(for: [notification])
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let alert = try #require((payload["alerts"] as? [[String: Any]])?.first)
            return (alert["annotations"] as? [String: String])?["watchdog_event"]
        }
        #expect(try event(notification("disk_full:/data@1:escalate-1", .escalate)) == "escalated")
        #expect(try event(notification("disk_full:/data@1:escalate-2@1800000600", .escalate)) == "reminder")
        #expect(try event(notification("disk_full:/data@1:acknowledge", .acknowledge)) == "acknowledged")
        #expect(try event(notification("report@1800000000", .report)) == "report")
        #expect(try event(notification("disk_full:/data@1:fire", .fire)) == nil)
        #expect(try event(notification("disk_full:/data@1:resolve", .resolve)) == nil)
    }

    @Test func fingerprintsAreStableForTheSameLabels() {
        let labels = ["alertname": "disk_full", "instance": "h"]
        #expect(WebhookPayload.fingerprint(labels) == WebhookPayload.fingerprint(labels))
        #expect(WebhookPayload.fingerprint(labels) != WebhookPayload.fingerprint(["alertname": "disk_full"]))
    }

    @Test func theWebhookReceivesThePayloadAndItsSecretURLStaysSecret() async throws {
        let receiver = try await StubHTTPServer.start { request in
            request.uri == "/hook?token=s3cr3t" ? .text(204, "") : .text(403, "forbidden")
        }
        defer { Task { await receiver.stop() } }
        let channel = WebhookChannel(
            url: receiver.baseURL + "/hook?token=s3cr3t", post: HTTPPost(timeout: .seconds(20)))
        let message = channel.render(.single(notification("n1")))[0]
        #expect(await channel.send(message) == .delivered)
        #expect(receiver.requests.first?.json()?["version"] as? String == "4")
        let wrong = WebhookChannel(url: receiver.baseURL + "/other?token=s3cr3t", post: HTTPPost(timeout: .seconds(20)))
        let outcome = await wrong.send(message)
        #expect(outcome == .permanent(reason: "HTTP 403: forbidden"))

        // Through an outbox with the receiver gone: the token is in no error and no log line.
        await receiver.stop()
        let logged = await logsOfAFailedDelivery(through: channel)
        #expect(!logged.map(\.line).joined().contains("s3cr3t"))
    }
}
