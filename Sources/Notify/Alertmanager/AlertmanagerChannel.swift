import FoundationEssentials
import OutboundHTTP

/// Pushes alerts to an Alertmanager (`POST /api/v2/alerts`), the path for fleets:
/// grouping, silences and deduplication across many watchdogs are Alertmanager's job.
///
/// Every tick posts every firing key (Alertmanager expects alerts to be re-sent while
/// they fire) and the keys resolved in that tick with their `endsAt`. While
/// Alertmanager is unreachable, each new post replaces the unsent one, keeping its
/// resolutions, so the queue stays one post deep.
public struct AlertmanagerChannel: NotificationChannel {
    public let name: String
    public var destination: String { ShownURL.of(url, pathIsSecret: false) }
    private let url: String
    private let interval: Duration
    private let post: HTTPPost

    /// `baseURL` is the Alertmanager's address, e.g. `http://alertmanager:9093`.
    public init(name: String = "alertmanager", baseURL: String, interval: Duration, post: HTTPPost) {
        self.name = name
        self.url = baseURL.trimmingSuffix("/") + "/api/v2/alerts"
        self.interval = interval
        self.post = post
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let notifications = batch.notifications
        // The batch's own time stamps the alerts; an empty batch has nothing to post.
        guard let now = notifications.map(\.at).max() else { return [] }
        let firing = notifications.filter { !$0.endsProblem }
        let resolved = notifications.filter(\.endsProblem)
        return [
            OutboundMessage(
                id: batch.id,
                body: AlertmanagerPayload.body(firing: firing, resolved: resolved, now: now, interval: interval)
            )
        ]
    }

    public func messages(for tick: TickNotifications, digestAfter: Int) -> [OutboundMessage] {
        // A flapping key stays in `firing` while it flaps; it ends with its settled message.
        let resolved = tick.notifications.filter(\.endsProblem)
        guard !tick.firing.isEmpty || !resolved.isEmpty else { return [] }
        return [
            OutboundMessage(
                id: "alertmanager@\(Int(tick.now.timeIntervalSince1970 * 1000))",
                body: AlertmanagerPayload.body(
                    firing: tick.firing, resolved: resolved, now: tick.now, interval: interval)
            ).announcing(tick.notifications)
        ]
    }

    public func coalesce(pending: OutboundMessage, newer: OutboundMessage) -> OutboundMessage? {
        var merged = OutboundMessage(
            id: newer.id, body: AlertmanagerPayload.merge(older: pending.body, newer: newer.body))
        merged.announces = pending.announces + newer.announces
        return merged
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await post.send(url: url, body: Array(message.body.utf8), secrets: []).plainOutcome(secrets: [])
    }
}
