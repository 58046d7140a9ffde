import FoundationEssentials
import Notify
import Synchronization

/// One push heartbeat of `WATCHDOG_HEARTBEATS`: a job that must ping `/ping/<name>` at
/// least once per window.
public struct HeartbeatWindow: Sendable, Equatable {
    public let name: String
    public let window: Duration

    public init(name: String, window: Duration) {
        self.name = name
        self.window = window
    }

    /// Names appear in URLs and keys: letters, digits, `-`, `_`, `.`, at most 100.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100
            && name.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }
}

/// Where the HTTP endpoint records pings and the heartbeat source reads them: the latest
/// ping per configured name since this process started, on the monotonic clock, so a
/// step of the wall clock never makes a ping look older or newer than it is (SPEC §12).
public final class HeartbeatBoard: Sendable {
    public let names: Set<String>
    /// The time on a monotonic clock since any fixed origin; nil: a board nobody can
    /// ping (`once`, where there is no endpoint).
    private let monotonicNow: (@Sendable () -> Duration)?
    private let pings = Mutex<[String: Duration]>([:])

    public init(names: some Sequence<String>, monotonicNow: (@Sendable () -> Duration)?) {
        self.names = Set(names)
        self.monotonicNow = monotonicNow
    }

    /// Records a ping now; false for a name that is not configured (nothing is stored,
    /// so a caller cannot grow the board).
    @discardableResult
    public func record(_ name: String) -> Bool {
        guard names.contains(name), let now = monotonicNow?() else { return false }
        pings.withLock { $0[name] = max($0[name] ?? now, now) }
        return true
    }

    /// The latest pings as wall times of the tick at `now`: each is `now` less the time
    /// that has passed since it on the monotonic clock.
    public func latest(asOf now: Date) -> [String: Date] {
        guard let current = monotonicNow?() else { return [:] }
        return pings.withLock { pings in
            pings.mapValues { now.addingTimeInterval(-max(.zero, current - $0).seconds) }
        }
    }
}

/// `heartbeat_missed` (SPEC §3, §10.6): a window passed without a ping. Fires once
/// (its policy never repeats) and resolves at the first tick after the next ping.
public struct HeartbeatSource: Source {
    public let name = "heartbeats"
    public let ownership = KeyOwnership.families([.heartbeatMissed])
    let windows: [HeartbeatWindow]
    let board: HeartbeatBoard
    let texts: Texts

    /// Kept in the state file, so a restart does not reset a 26-hour window.
    public struct Memory: Sendable, Codable, Equatable {
        public var seen: [String: Seen] = [:]

        public struct Seen: Sendable, Codable, Equatable {
            /// The last ping, or when the watchdog first watched this name.
            public var at: Date
            public var pinged: Bool
        }
    }

    /// The pings this process has received, per name.
    public struct Reading: Sendable, Encodable {
        public let pings: [String: Date]
    }

    public init(windows: [HeartbeatWindow], board: HeartbeatBoard, texts: Texts) {
        self.windows = windows
        self.board = board
        self.texts = texts
    }

    public func collect(now: Date) async throws -> Reading {
        Reading(pings: board.latest(asOf: now))
    }

    public func evaluate(_ reading: Reading, memory: Memory?, now: Date) -> SourceEvaluation<Memory> {
        let remembered = memory ?? Memory()
        var next = Memory()
        var signals: [Signal] = []
        for heartbeat in windows {
            // The first window of a name never seen before starts now, at the first tick.
            var seen = remembered.seen[heartbeat.name] ?? .init(at: now, pinged: false)
            if let ping = reading.pings[heartbeat.name], !seen.pinged || ping > seen.at {
                // Before the first ping `at` is only when watching began; the ping is
                // the real last-seen time even if it came before the first tick.
                seen = .init(at: seen.pinged ? max(ping, seen.at) : ping, pinged: true)
            }
            next.seen[heartbeat.name] = seen
            let silence = now.timeIntervalSince(seen.at)
            let window = DurationText.format(seconds: heartbeat.window.seconds)
            signals.append(
                Signal(
                    key: SignalKey(.heartbeatMissed, heartbeat.name),
                    active: silence >= heartbeat.window.seconds, severity: .critical,
                    title: texts.heartbeatMissedTitle(heartbeat.name),
                    detail: seen.pinged
                        ? texts.heartbeatLastPing(ago: DurationText.format(seconds: max(0, silence)), window: window)
                        : texts.heartbeatNeverPinged(
                            since: DurationText.format(seconds: max(0, silence)), window: window)))
        }
        return SourceEvaluation(signals: signals, memory: next)
    }
}
