/// Writes a `Duration` the way the configuration reads it: `30s`, `15m`, `1.5h`, `250ms`.
enum DurationFormat {
    static func text(_ duration: Duration) -> String {
        let seconds = duration.seconds
        for (unit, size) in [("d", 86_400.0), ("h", 3_600.0), ("m", 60.0), ("s", 1.0)]
        where seconds >= size && (seconds / size * 10).rounded() == seconds / size * 10 {
            return trimmed(seconds / size) + unit
        }
        if seconds == 0 { return "0s" }
        return trimmed(seconds * 1000) + "ms"
    }

    private static func trimmed(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
