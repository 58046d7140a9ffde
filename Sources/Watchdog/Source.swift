import Foundation

/// One guarded unit of the tick: a collector plus the pure evaluation that turns its
/// reading into signals.
///
/// The tick runs every source concurrently under the collect timeout; a throw or a
/// timeout becomes a failed outcome for this source only. Adding a source means
/// writing one of these and listing it in `SourceCatalog` (see CONTRIBUTING.md).
public protocol Source: Sendable {
    associatedtype Reading: Sendable & Encodable

    /// Stable name: logs, `collector_failed:<name>`, `once --json`.
    var name: String { get }
    /// Run at most this often; nil runs every tick. Between runs its last signals stand.
    var interval: Duration? { get }
    /// The keys whose recovery this source can vouch for.
    var ownership: KeyOwnership { get }

    /// The I/O: read the world. Throws when it cannot.
    func collect() async throws -> Reading
    /// Pure: what the reading means. `now` is the tick's time.
    func signals(from reading: Reading, now: Date) -> [Signal]
}

extension Source {
    public var interval: Duration? { nil }

    /// Collects and evaluates in one call, erasing the reading's type for the engine.
    func collectSignals(now: Date) async throws -> (reading: any Encodable & Sendable, signals: [Signal]) {
        let reading = try await collect()
        return (reading, signals(from: reading, now: now))
    }
}
