import Foundation
import Synchronization

/// A door that blocks whoever waits at it, ignoring cancellation, until opened: a
/// collector stuck in the kernel.
public final class Gate: Sendable {
    public init() {}

    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    public func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Counts calls from concurrent tasks.
public final class Counter: Sendable {
    public init() {}

    private let value = Mutex(0)

    @discardableResult
    public func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }

    public var count: Int { value.withLock { $0 } }

    public func decrement() { value.withLock { $0 -= 1 } }
}

extension Process {
    /// Ends a peer the test started, surely: SIGTERM, and SIGKILL when it has not ended
    /// within `grace` (a child may have inherited SIGTERM ignored or blocked from the test
    /// runner, or another child the write end of the pipe it waits to close).
    public func stopFirmly(grace: TimeInterval = 3) {
        guard isRunning else { return }
        terminate()
        let deadline = Date().addingTimeInterval(grace)
        while isRunning, Date() < deadline { usleep(20_000) }
        if isRunning { kill(processIdentifier, SIGKILL) }
        waitUntilExit()
    }
}
