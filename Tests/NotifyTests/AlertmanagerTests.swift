import AsyncHTTPClient
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Notify

@Suite struct AlertmanagerPayloadTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func firingAlertsEndInTheFutureAndResolvedOnesWhenTheyResolved() throws {
        let body = AlertmanagerPayload.body(
            firing: [notification("a")], resolved: [notification("b", .resolve, key: "/var")], now: now,
            interval: .seconds(30))
        let alerts = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
        #expect(alerts.count == 2)
        #expect((alerts[0]["labels"] as? [String: String])?["alertname"] == "disk_full")
        #expect(alerts[0]["endsAt"] as? String == "2027-01-15T08:04:00Z")  // 4 × max(interval, 1 min)
        #expect(alerts[1]["endsAt"] as? String == "2027-01-15T08:05:12Z")
        #expect((alerts[0]["annotations"] as? [String: String])?["summary"] == "Disk is almost full")
    }

    @Test func aNewerPostReplacesAnUnsentOneKeepingItsResolutions() throws {
        let older = AlertmanagerPayload.body(
            firing: [notification("a")], resolved: [notification("b", .resolve, key: "/var")], now: now,
            interval: .seconds(30))
        let newer = AlertmanagerPayload.body(
            firing: [notification("a")], resolved: [], now: now, interval: .seconds(30))
        let merged = AlertmanagerPayload.merge(older: older, newer: newer)
        let alerts = try #require(try JSONSerialization.jsonObject(with: Data(merged.utf8)) as? [[String: Any]])
        #expect(alerts.compactMap { ($0["labels"] as? [String: String])?["entity"] } == ["/data", "/var"])
    }

    @Test func theOutboxKeepsOnePostPendingWhileAlertmanagerIsDown() async {
        let channel = AlertmanagerChannel(
            baseURL: "http://127.0.0.1:1", interval: .seconds(30), post: HTTPPost(timeout: .seconds(1)))
        let outbox = ChannelOutbox(channel: channel, clock: ManualClock(), logger: LogRecorder().logger())
        for tick in 0..<50 {
            await outbox.stage(
                TickNotifications(
                    notifications: [], firing: [notification("a")], now: now.addingTimeInterval(Double(tick) * 30)),
                digestAfter: 5)
            await outbox.release()
        }
        #expect(await outbox.pendingCount == 1)
    }
}

/// A real Alertmanager (Debian's prometheus-alertmanager) on loopback, with a webhook
/// receiver that records what Alertmanager notifies.
@Suite(.serialized, .enabled(if: RealAlertmanager.binary != nil || RealAlertmanager.required))
struct AlertmanagerTests {
    @Test func aFiringKeyArrivesAsAnAlertAndItsResolveAsResolved() async throws {
        let receiver = try await StubHTTPServer.start { _ in .text(200, "ok") }
        defer { Task { await receiver.stop() } }
        let alertmanager = try await RealAlertmanager.start(webhook: receiver.baseURL + "/hook")
        defer { alertmanager.stop() }

        let channel = AlertmanagerChannel(
            baseURL: alertmanager.baseURL, interval: .seconds(30), post: HTTPPost(timeout: .seconds(5)))
        let start = Date()
        let fired = AlertNotification(
            id: "a", action: .fire, severity: .critical, family: "disk_full", entity: "/data",
            title: "Disk is almost full", detail: "93% used", instance: "watchdog-test", startedAt: start, at: start)
        let firing = channel.messages(
            for: TickNotifications(notifications: [fired], firing: [fired], now: start), digestAfter: 5)
        let outcome = await channel.send(try #require(firing.first))
        #expect(outcome == .delivered)
        try await waitForWebhook(receiver, status: "firing")

        let resolved = AlertNotification(
            id: "a:resolve", action: .resolve, severity: fired.severity, family: fired.family, entity: fired.entity,
            title: fired.title, detail: "back to 40%", instance: fired.instance, startedAt: fired.startedAt, at: Date())
        let resolving = channel.messages(
            for: TickNotifications(notifications: [resolved], firing: [], now: Date()), digestAfter: 5)
        #expect(await channel.send(try #require(resolving.first)) == .delivered)
        let payload = try await waitForWebhook(receiver, status: "resolved")
        let alert = try #require((payload["alerts"] as? [[String: Any]])?.first)
        #expect((alert["labels"] as? [String: String])?["alertname"] == "disk_full")
        #expect((alert["labels"] as? [String: String])?["instance"] == "watchdog-test")
        #expect((alert["labels"] as? [String: String])?["entity"] == "/data")
    }

    @discardableResult
    func waitForWebhook(_ receiver: StubHTTPServer, status: String) async throws -> [String: Any] {
        let request = try await receiver.request(within: .seconds(30), "\(status) webhook from Alertmanager") {
            $0.json()?["status"] as? String == status
        }
        return try #require(request.json())
    }
}
