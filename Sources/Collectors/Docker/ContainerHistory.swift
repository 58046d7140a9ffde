import FoundationEssentials

/// How a container ended, as its events tell it (SPEC §10.2).
public enum ContainerEnding: Sendable, Equatable, Encodable {
    case crashed(exitCode: Int)
    case oomKilled
    /// Killed by this signal from outside Docker (exit code 128 + signal).
    case killedBySignal(Int32)
    case stoppedOnRequest

    /// Whether the operator (or a deploy) asked for it: then `container_down` waits the
    /// grace, since a restart or a recreation is on its way.
    public var wasRequested: Bool { self == .stoppedOnRequest }
}

/// What the events stream said of one container since it last ran: how it ended and
/// when, and when a stop, kill or removal was asked for. Empty while nothing is known,
/// as after a restart of the watchdog or while the stream is down: the container is
/// then judged by its inspect document alone, as a poll would.
public struct ContainerHistory: Sendable, Equatable, Encodable {
    public var ending: ContainerEnding?
    public var endedAt: Date?
    /// The last `stop`, stopping `kill` or `destroy`: a container missing or only
    /// created this soon after is being recreated, not down.
    public var stopRequestedAt: Date?

    public init(ending: ContainerEnding? = nil, endedAt: Date? = nil, stopRequestedAt: Date? = nil) {
        self.ending = ending
        self.endedAt = endedAt
        self.stopRequestedAt = stopRequestedAt
    }

    public var isEmpty: Bool { ending == nil && stopRequestedAt == nil }
}
