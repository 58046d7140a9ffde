import Logging
import ServiceLifecycle
import Synchronization

/// A source that also hears of changes between ticks (Docker's events): it follows them
/// for its life and says when its keys should be judged now. The tick loop then runs
/// this source alone, at once, and decides and sends what it found as a tick would
/// (SPEC §10.2: a crash reaches the channels within about a second).
public protocol EventFollowingSource: Source {
    /// Follows until cancelled; calls `changed` whenever the source should run now.
    /// Never throws: a lost connection is retried inside, and meanwhile the ticks poll.
    func follow(changed: @escaping @Sendable () -> Void, logger: Logger) async
}

/// Which sources asked to run before the next tick. Rung by followers, waited on by
/// the tick loop; rings while nobody waits are kept (several as one).
public final class SourceDoorbell: Sendable {
    private struct Bell {
        var rung: Set<String> = []
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let bell = Mutex(Bell())

    public init() {}

    public func ring(_ source: String) {
        let waiter = bell.withLock { bell -> CheckedContinuation<Void, Never>? in
            bell.rung.insert(source)
            defer { bell.waiter = nil }
            return bell.waiter
        }
        waiter?.resume()
    }

    /// The sources rung since the last call, forgetting them.
    public func take() -> Set<String> {
        bell.withLock { bell in
            defer { bell.rung = [] }
            return bell.rung
        }
    }

    /// Returns once a source has rung (at once if one has), or when the task is cancelled.
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = bell.withLock { bell -> Bool in
                    if !bell.rung.isEmpty || Task.isCancelled { return true }
                    bell.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = bell.withLock { bell -> CheckedContinuation<Void, Never>? in
                defer { bell.waiter = nil }
                return bell.waiter
            }
            waiter?.resume()
        }
    }
}

/// Runs one event-following source's `follow` as a service, until shutdown.
public struct SourceFollowingService: Service {
    let source: any EventFollowingSource
    let doorbell: SourceDoorbell
    let logger: Logger

    public init(source: any EventFollowingSource, doorbell: SourceDoorbell, logger: Logger) {
        self.source = source
        self.doorbell = doorbell
        self.logger = logger
    }

    public func run() async throws {
        let (source, doorbell, logger) = (self.source, self.doorbell, self.logger)
        let name = source.name
        await cancelWhenGracefulShutdown {
            await source.follow(changed: { doorbell.ring(name) }, logger: logger)
        }
    }
}
