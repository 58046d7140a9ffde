import Foundation
import Synchronization

/// What the HTTP endpoint answers from. The tick loop writes it after every tick; request
/// handlers read a copy, so a slow client never holds up a tick.
public final class WatchdogStatus: Sendable {
    public struct Snapshot: Sendable {
        /// On the monotonic clock, so a wall-clock jump cannot make the watchdog look
        /// stale or fresh.
        public var lastTickFinished: ContinuousClock.Instant?
        public var alerts: [SignalKey: TrackedAlert] = [:]
        public var mute = MuteList([])
    }

    private let current: Mutex<Snapshot>

    public init(mute: MuteList = MuteList([])) {
        current = Mutex(Snapshot(mute: mute))
    }

    public func recordTick(finishedAt: ContinuousClock.Instant, alerts: [SignalKey: TrackedAlert]) {
        current.withLock {
            $0.lastTickFinished = finishedAt
            $0.alerts = alerts
        }
    }

    public func snapshot() -> Snapshot {
        current.withLock { $0 }
    }
}

/// The answer of `GET /healthz` (SPEC §7).
public struct HealthAnswer: Sendable, Equatable, Encodable {
    public let status: String
    public let lastTickAgeS: Double?

    /// Healthy while the last tick finished less than `staleAfter` ago
    /// (3 × interval + collect timeout); "starting" before the first tick finished.
    public init(lastTickAge: Duration?, staleAfter: Duration) {
        guard let age = lastTickAge else {
            (status, lastTickAgeS) = ("starting", nil)
            return
        }
        status = age < staleAfter ? "ok" : "stale"
        lastTickAgeS = (max(age, .zero).seconds * 1000).rounded() / 1000
    }

    public var isHealthy: Bool { status == "ok" }

    public static func staleAfter(interval: Duration, collectTimeout: Duration) -> Duration {
        interval * 3 + collectTimeout
    }

    enum CodingKeys: String, CodingKey {
        case status
        case lastTickAgeS = "last_tick_age_s"
    }
}

/// One entry of `GET /alerts`: a key firing now.
public struct FiringAlert: Sendable, Equatable, Encodable {
    public let key: String
    public let family: String
    public let severity: String
    public let title: String
    public let detail: String
    public let since: Date?
    public let lastNotified: Date?
    /// Matched by `WATCHDOG_MUTE`: firing, but not being sent.
    public let muted: Bool

    enum CodingKeys: String, CodingKey {
        case key, family, severity, title, detail, since, muted
        case lastNotified = "last_notified"
    }

    /// The firing keys, oldest problem first.
    public static func list(from alerts: [SignalKey: TrackedAlert], mute: MuteList) -> [FiringAlert] {
        alerts.filter(\.value.state.firing)
            .sorted { ($0.value.state.since ?? .distantPast, $0.key) < ($1.value.state.since ?? .distantPast, $1.key) }
            .map { key, alert in
                FiringAlert(
                    key: key.description, family: key.family.rawValue, severity: alert.signal.severity.rawValue,
                    title: alert.signal.title, detail: alert.signal.detail, since: alert.state.since,
                    lastNotified: alert.state.lastNotified, muted: mute.mutes(key))
            }
    }
}
