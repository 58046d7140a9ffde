import Collectors
import FoundationEssentials

/// How a container ended (SPEC §10.2), read from the order of its events. Pure: it is
/// given events and answers what each `die` means.
///
/// A `die` with no stop request just before it is a crash: the process exited by itself,
/// was OOM-killed, or was killed by a signal from outside Docker. A `kill` with a
/// stopping signal (`docker stop` sends TERM, then KILL after its timeout; `docker kill`
/// KILL; `docker rm -f` KILL) or a `stop` is a request, and the `die` it brings is a
/// stop on request. A `kill` with another signal (`docker kill -s HUP` to reload) is no
/// request. A `destroy` followed by a `create` of the same name or compose service is a
/// recreation (`docker compose up -d`).
public struct ContainerEndings: Sendable, Equatable {
    public typealias Ending = ContainerEnding

    /// A request counts for a `die` this soon after it: longer than any stop timeout
    /// an operator is likely to set, short enough that a crash days later is a crash.
    public static let requestWindowNano: Int64 = 5 * 60 * 1_000_000_000
    /// Containers remembered at most (requests and OOMs pending); the oldest go first.
    static let capacity = 1_000

    /// Per container id: when a stop was requested, not yet consumed by a `die`.
    private var requestedAt: [String: Int64] = [:]
    /// Per container id: an `oom` not yet followed by its `die`.
    private var outOfMemory: Set<String> = []
    private var order: [String] = []

    public init() {}

    /// Signals that stop a container (as numbers and names; Docker writes what was asked).
    static let stoppingSignals: Set<String> = [
        "2", "3", "9", "15", "INT", "QUIT", "KILL", "TERM", "SIGINT", "SIGQUIT", "SIGKILL", "SIGTERM",
    ]

    /// Takes `event`; for a `die`, how the container ended.
    public mutating func apply(_ event: DockerEvent) -> Ending? {
        switch event.action {
        case .kill:
            if let signal = event.signal, Self.stoppingSignals.contains(signal.uppercased()) {
                remember(event.id)
                requestedAt[event.id] = event.timeNano
            }
            return nil
        case .stop:
            remember(event.id)
            requestedAt[event.id] = event.timeNano
            return nil
        case .oom:
            remember(event.id)
            outOfMemory.insert(event.id)
            return nil
        case .die:
            defer {
                requestedAt[event.id] = nil
                outOfMemory.remove(event.id)
            }
            if outOfMemory.contains(event.id) { return .oomKilled }
            if let requested = requestedAt[event.id], event.timeNano - requested <= Self.requestWindowNano,
                event.timeNano >= requested
            {
                return .stoppedOnRequest
            }
            let code = event.exitCode ?? -1
            if code > 128, code <= 128 + 64 { return .killedBySignal(Int32(code - 128)) }
            return .crashed(exitCode: code)
        case .start, .restart:
            requestedAt[event.id] = nil
            outOfMemory.remove(event.id)
            return nil
        case .destroy:
            requestedAt[event.id] = nil
            outOfMemory.remove(event.id)
            order.removeAll { $0 == event.id }
            return nil
        case .create, .pause, .unpause, .health, .other:
            return nil
        }
    }

    private mutating func remember(_ id: String) {
        if !order.contains(id) { order.append(id) }
        while order.count > Self.capacity {
            let oldest = order.removeFirst()
            requestedAt[oldest] = nil
            outOfMemory.remove(oldest)
        }
    }
}
