import Synchronization

/// How a deadline-guarded operation ended.
public enum DeadlineResult<Value: Sendable>: Sendable {
    case finished(Result<Value, any Error>)
    case timedOut
    case cancelled
}

/// Runs `operation` but stops waiting for it after `timeout`, or as soon as the calling
/// task is cancelled.
///
/// A task group would wait for a child that ignores cancellation (a blocked `statvfs`,
/// a collector with a bug); this races an unstructured task instead and abandons it, so
/// the tick always ends on time. `onFinish` runs when the operation really ends, also
/// long after an abandoned wait: the engine uses it to refuse a second run of a source
/// whose first is still stuck.
func runWithDeadline<Value: Sendable, C: Clock>(
    timeout: Duration, clock: C,
    onFinish: @escaping @Sendable () -> Void = {},
    operation: @escaping @Sendable () async throws -> Value
) async -> DeadlineResult<Value> where C.Duration == Duration {
    let resumer = ResumeOnce<DeadlineResult<Value>>()
    let work = Task.detached {
        let result: Result<Value, any Error>
        do { result = .success(try await operation()) } catch { result = .failure(error) }
        onFinish()
        resumer.resume(.finished(result))
    }
    let timer = Task.detached {
        do {
            try await clock.sleep(for: timeout)
            resumer.resume(.timedOut)
        } catch {
            // Cancelled: the operation finished or the caller went away first.
        }
    }
    let outcome = await withTaskCancellationHandler {
        await withCheckedContinuation { resumer.install($0) }
    } onCancel: {
        resumer.resume(.cancelled)
    }
    work.cancel()
    timer.cancel()
    return outcome
}

/// Hands a value to a continuation exactly once, whichever side comes first: the value
/// (from any of several racing tasks) or the continuation.
final class ResumeOnce<Value: Sendable>: Sendable {
    private struct State: ~Copyable {
        var continuation: CheckedContinuation<Value, Never>?
        var early: Value?
        var resumed = false
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<Value, Never>) {
        let early: Value? = state.withLock { state in
            if state.resumed { return state.early.take() }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(_ value: Value) {
        let continuation: CheckedContinuation<Value, Never>?? = state.withLock { state in
            guard !state.resumed else { return .none }
            state.resumed = true
            if let continuation = state.continuation.take() { return .some(continuation) }
            state.early = value
            return .some(nil)
        }
        if case .some(.some(let continuation)) = continuation {
            continuation.resume(returning: value)
        }
    }
}
