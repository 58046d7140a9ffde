import Foundation
import Notify
import Synchronization
import Watchdog

/// A source whose collection a test scripts: return signals, throw, or hang.
struct FakeSource: Source {
    let name: String
    let ownership: KeyOwnership
    let interval: Duration?
    let behaviour: @Sendable () async throws -> [Signal]

    init(
        _ name: String, owns ownership: KeyOwnership, interval: Duration? = nil,
        _ behaviour: @escaping @Sendable () async throws -> [Signal]
    ) {
        self.name = name
        self.ownership = ownership
        self.interval = interval
        self.behaviour = behaviour
    }

    func collect() async throws -> [Signal] {
        try await behaviour()
    }

    func signals(from reading: [Signal], now: Date) -> [Signal] {
        reading
    }
}

/// A door that blocks whoever waits at it, ignoring cancellation, until opened: a
/// collector stuck in the kernel.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Counts calls from concurrent tasks.
final class Counter: Sendable {
    private let value = Mutex(0)

    @discardableResult
    func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }

    var count: Int { value.withLock { $0 } }

    func decrement() { value.withLock { $0 -= 1 } }
}

func signal(
    _ key: SignalKey, active: Bool, detail: String = "detail", severity: Severity = .warning
) -> Signal {
    Signal(key: key, active: active, severity: severity, title: "title of \(key)", detail: detail)
}
