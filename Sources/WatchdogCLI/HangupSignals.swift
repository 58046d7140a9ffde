import ServiceLifecycle
import Synchronization
import UnixSignals

/// SIGHUP for the whole life of the process, one hang-up at a time.
///
/// Trapped once at start and never let go: between two service groups (a reload
/// rebuilds the services) a SIGHUP must still not kill the process, and waiting for one
/// can be cancelled (graceful shutdown) without ending the trap, which a cancelled wait
/// on the signal stream itself would do.
final class HangupSignals: Sendable {
    private struct State {
        var pending = 0
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    init() async {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        Task.detached { [self] in
            for await _ in signals { self.arrived() }
        }
    }

    /// Waits for the next hang-up: true when one came, false when the waiting task was
    /// cancelled. Hang-ups that came while nobody waited are handed out one by one.
    func next() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    if state.pending > 0 {
                        state.pending -= 1
                        continuation.resume(returning: true)
                    } else if Task.isCancelled {
                        continuation.resume(returning: false)
                    } else {
                        state.waiter = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { state in
                state.waiter?.resume(returning: false)
                state.waiter = nil
            }
        }
    }

    private func arrived() {
        state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                waiter.resume(returning: true)
            } else {
                state.pending = min(state.pending + 1, 1)
            }
        }
    }
}
