import Foundation
import Logging
import Notify
import Synchronization
import TestSupport
import Testing

@testable import Watchdog

/// `WATCHDOG_ALERTMANAGER_URL` with the members of one cluster (SPEC §2.2): every alert
/// goes to each member through its own outbox, the cluster (three real Alertmanagers
/// gossiping on loopback) notifies its receiver once, and with a member stopped an
/// alert still arrives, once.
@Suite(.serialized, .enabled(if: RealAlertmanager.binary != nil || RealAlertmanager.required))
struct AlertmanagerClusterTests {
    final class Received: Sendable {
        let bodies = Mutex<[String]>([])
        func append(_ body: String) { bodies.withLock { $0.append(body) } }
        /// The firing notifications the receiver got for the disk alert of `entity`.
        func firing(_ entity: String) -> Int {
            bodies.withLock { $0 }.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.filter { post in
                post["status"] as? String == "firing"
                    && ((post["alerts"] as? [[String: Any]]) ?? []).contains {
                        ($0["labels"] as? [String: String])?["entity"] == entity
                    }
            }.count
        }
    }

    func fire(_ entity: String, at now: Date) -> AlertNotification {
        AlertNotification(
            id: "f-\(entity)", action: .fire, severity: .critical, family: "disk_full", entity: entity,
            title: "Disk is almost full", detail: "93% used", instance: "watchdog-cluster-test", startedAt: now, at: now
        )
    }

    /// Stages one tick in every outbox and waits until each is empty or `timeout` passes.
    func deliver(_ tick: TickNotifications, to outboxes: [ChannelOutbox<ContinuousClock>], timeout: Duration) async
        -> Int
    {
        for outbox in outboxes {
            await outbox.stage(tick, digestAfter: 5)
            await outbox.release()
        }
        return await Delivery(outboxes: outboxes, digestAfter: 5).drain(timeout: timeout, clock: ContinuousClock())
            .count
    }

    @Test func theClusterNotifiesOnceAndAMemberDownLosesNothing() async throws {
        let received = Received()
        let receiver = try await StubHTTPServer.start { request in
            received.append(request.bodyText)
            return .text(200, "ok")
        }
        defer { Task { await receiver.stop() } }
        let members = try await RealAlertmanager.startCluster(count: 3, webhook: receiver.baseURL + "/hook")
        defer { for member in members { member.stop() } }
        #expect(await eventually(timeout: .seconds(30)) { await members[0].peersSeen() == 3 })

        let configuration = try Configuration.load(
            process: [
                "WATCHDOG_ALERTMANAGER_URL": members.map(\.baseURL).joined(separator: ","),
                "WATCHDOG_HTTP_TIMEOUT": "2s",
            ], workingDirectory: nil, hostName: "box"
        ).configuration
        let channels = ChannelCatalog.channels(for: configuration, logger: Logger(label: "test"))
        #expect(channels.map(\.name) == ["alertmanager-1", "alertmanager-2", "alertmanager-3"])
        let outboxes = channels.map {
            ChannelOutbox(channel: $0, clock: ContinuousClock(), logger: Logger(label: "test"))
        }

        // Every member gets the alert; the receiver hears of it once.
        let first = fire("/data", at: Date())
        let left = await deliver(
            TickNotifications(notifications: [first], firing: [first], now: Date()), to: outboxes, timeout: .seconds(20)
        )
        #expect(left == 0)
        #expect(await eventually(timeout: .seconds(30)) { received.firing("/data") >= 1 })
        // Longer than group_wait and the members' peer timeouts: a duplicate would be here by now.
        try await Task.sleep(for: .seconds(8))
        #expect(received.firing("/data") == 1)

        // One member stopped: the others still notify, once; its own outbox keeps the post.
        members[0].stop()
        let second = fire("/var", at: Date())
        let pending = await deliver(
            TickNotifications(notifications: [second], firing: [first, second], now: Date()), to: outboxes,
            timeout: .seconds(6))
        #expect(pending >= 1)
        #expect(await outboxes[0].pendingCount == 1)
        #expect(await eventually(timeout: .seconds(30)) { received.firing("/var") >= 1 })
        try await Task.sleep(for: .seconds(8))
        #expect(received.firing("/var") == 1)
    }
}
