/// Something that reads one part of the world and returns what it saw.
///
/// A collector does I/O and nothing else: it knows nothing about thresholds, alerts or
/// notifications. It throws when it cannot read; the tick turns that error into a failed
/// reading for this collector alone.
public protocol Collector: Sendable {
    associatedtype Reading: Sendable & Encodable
    func collect() async throws -> Reading
}
