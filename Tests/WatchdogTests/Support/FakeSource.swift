import Foundation
import Notify
import TestSupport
import Watchdog

/// A source whose collection a test scripts: return signals, throw, or hang.
struct FakeSource: StatelessSource {
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

    func collect(now: Date) async throws -> [Signal] {
        try await behaviour()
    }

    func signals(from reading: [Signal], now: Date) -> [Signal] {
        reading
    }
}

func signal(
    _ key: SignalKey, active: Bool, detail: String = "detail", severity: Severity = .warning
) -> Signal {
    Signal(key: key, active: active, severity: severity, title: "title of \(key)", detail: detail)
}
