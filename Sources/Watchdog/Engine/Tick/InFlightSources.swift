import Synchronization

/// Names of sources whose last run has not returned yet, even if the tick stopped
/// waiting for it. A source stuck in the kernel is not started again on top of itself:
/// that would pile up one blocked thread per tick.
final class InFlightSources: Sendable {
    private let names = Mutex(Set<String>())

    /// Marks `name` as running; false when it still is.
    func begin(_ name: String) -> Bool {
        names.withLock { $0.insert(name).inserted }
    }

    func end(_ name: String) {
        _ = names.withLock { $0.remove(name) }
    }
}
