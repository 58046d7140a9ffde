import FoundationEssentials
import Notify

/// Notices steps of the wall clock (SPEC §12, *Time*): an NTP correction after a VM
/// resume, a manual `date -s`. Between two readings the wall clock should move as the
/// monotonic clock does; the difference is the step. Pure: the caller reads both
/// clocks once per tick and moves what it keeps by the step (`EngineState.shifted`), so
/// every duration judged within a run is the monotonic one.
public struct WallClockSteps<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Smaller differences are the clocks' ordinary drift and slewing (NTP slews at most
    /// 0.5 ms a second), not a step.
    public static var tolerance: TimeInterval { 1 }

    private var last: (wall: Date, monotonic: Instant)?

    public init() {}

    /// Takes this tick's readings; returns the step since the last ones (positive: the
    /// wall clock jumped forward), or nil when there was none.
    public mutating func observe(wall: Date, monotonic: Instant) -> TimeInterval? {
        defer { last = (wall, monotonic) }
        guard let last else { return nil }
        let step = wall.timeIntervalSince(last.wall) - last.monotonic.duration(to: monotonic).seconds
        return abs(step) >= Self.tolerance ? step : nil
    }
}

/// Moves every instant of a value by the same amount, or holds each at most at a limit:
/// through its own `Codable` form, so every `Date` it holds, however deep, moves, and no
/// type has to list its dates.
enum InstantShift {
    /// `value` with each of its dates moved by `offset` and then, with `notAfter`, made
    /// no later than it; nil when the value does not survive the round trip.
    static func shifted<Value: Codable>(_ value: Value, by offset: TimeInterval, notAfter limit: Date? = nil)
        -> Value?
    {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return shifted(Value.self, from: data, by: offset, notAfter: limit)
    }

    /// Decodes `Value` from JSON written with the default date strategy, moving its dates.
    static func shifted<Value: Decodable>(
        _ type: Value.Type, from data: Data, by offset: TimeInterval, notAfter limit: Date? = nil
    ) -> Value? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let seconds = try decoder.singleValueContainer().decode(Double.self)
            let moved = Date(timeIntervalSinceReferenceDate: seconds).addingTimeInterval(offset)
            guard let limit else { return moved }
            return min(moved, limit)
        }
        return try? decoder.decode(type, from: data)
    }
}
