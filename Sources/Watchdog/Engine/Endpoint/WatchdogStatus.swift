import FoundationEssentials
import Synchronization

/// What the HTTP endpoint answers from. The tick loop writes it after every tick; request
/// handlers read a copy, so a slow client never holds up a tick.
public final class WatchdogStatus: Sendable {
    public struct Snapshot: Sendable {
        /// On the monotonic clock, so a wall-clock jump cannot make the watchdog look
        /// stale or fresh.
        public var lastTickFinished: ContinuousClock.Instant?
        public var alerts: [SignalKey: TrackedAlert] = [:]
        /// The run-time silences and acknowledgements, as of the last tick or write.
        public var book = SilenceBook()
        public var configured = ConfiguredSilences()
        public var instance = ""
        /// What `/alerts` needs to say when a key escalates next.
        public var escalation = EscalationPolicy.off

        /// Every silence in force at `now` (configured ones included).
        public func silencesInForce(at now: Date) -> [Silence] {
            Watchdog.silencesInForce(configured: configured, book: book, now: now)
        }
    }

    private let current: Mutex<Snapshot>
    /// The incident log the status page, the history API and `/history` read (SPEC §14).
    public let history: IncidentLog?

    public init(
        configured: ConfiguredSilences = ConfiguredSilences(), instance: String = "",
        escalation: EscalationPolicy = .off, history: IncidentLog? = nil
    ) {
        self.history = history
        current = Mutex(Snapshot(configured: configured, instance: instance, escalation: escalation))
    }

    public func recordTick(finishedAt: ContinuousClock.Instant, state: EngineState) {
        current.withLock {
            $0.lastTickFinished = finishedAt
            $0.alerts = state.alerts
            $0.book = state.silences
        }
    }

    /// A silence made or expired between ticks shows at once.
    public func recordSilences(_ book: SilenceBook) {
        current.withLock { $0.book = book }
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
    /// The ids of the silences that hold it now (SPEC §4.1).
    public let silencedBy: [String]
    /// Who acknowledged it, if anyone did.
    public let acknowledgedBy: String?
    /// Held by a silence: firing, but not being sent. (`silenced_by` says by which.)
    public let muted: Bool
    /// Changing state too often; its messages are held until it settles.
    public let flapping: Bool
    /// Where its escalation stands, when escalation is configured (SPEC §4.3).
    public let escalation: EscalationView?
    /// The keys of the firing causes it is held behind (SPEC §4.2); empty when none.
    public let inhibitedBy: [String]
    /// As a cause: the keys of the effects it holds or that fire with it.
    public let effects: [String]

    enum CodingKeys: String, CodingKey {
        case key, family, severity, title, detail, since, muted, flapping, escalation, effects
        case lastNotified = "last_notified"
        case silencedBy = "silenced_by"
        case acknowledgedBy = "acknowledged_by"
        case inhibitedBy = "inhibited_by"
    }

    /// The firing (or flapping) keys, oldest problem first.
    public static func list(from snapshot: WatchdogStatus.Snapshot, now: Date) -> [FiringAlert] {
        let inForce = SilenceSet(snapshot.silencesInForce(at: now))
        return snapshot.alerts.filter { $0.value.state.firing || $0.value.state.isFlapping }
            .sorted { ($0.value.state.since ?? .distantPast, $0.key) < ($1.value.state.since ?? .distantPast, $1.key) }
            .map { key, alert in
                let labels = SilenceSet.labels(of: key, severity: alert.signal.severity, instance: snapshot.instance)
                let silencedBy = inForce.silencing(labels)
                return FiringAlert(
                    key: key.description, family: key.family.rawValue, severity: alert.signal.severity.rawValue,
                    title: alert.signal.title, detail: alert.signal.detail, since: alert.state.since,
                    lastNotified: alert.state.lastNotified, silencedBy: silencedBy,
                    acknowledgedBy: snapshot.book.acknowledgements[key]?.by, muted: !silencedBy.isEmpty,
                    flapping: alert.state.isFlapping,
                    escalation: alert.escalation.map {
                        EscalationView($0, policy: snapshot.escalation, matches: snapshot.escalation.matches(labels))
                    },
                    inhibitedBy: alert.inhibition?.causes.map(\.description) ?? [],
                    effects: alert.effects?.effects.filter { $0.standing != .recovered }.map(\.key.description) ?? [])
            }
    }
}
