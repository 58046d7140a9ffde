/// Formats a length of time for people: `45s`, `5m 12s`, `2h 3m`, `1d 4h`.
///
/// Two units at most: "how long was it down" wants an order of magnitude, not seconds.
public enum DurationText {
    public static func format(seconds: Double) -> String {
        // Ages computed from outside times (an envelope's generated_at of -1e300) may be
        // beyond any Int: clamp to a thousand years rather than trap.
        let total = seconds.isNaN ? 0 : Int(min(max(0, seconds.rounded()), 1_000 * 365 * 86_400))
        let days = total / 86_400
        let hours = total % 86_400 / 3_600
        let minutes = total % 3_600 / 60
        let secs = total % 60
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)m" : "\(hours)h" }
        if minutes > 0 { return secs > 0 ? "\(minutes)m \(secs)s" : "\(minutes)m" }
        return "\(secs)s"
    }
}

extension Duration {
    /// The duration in seconds, for arithmetic with `Date` and for display.
    public var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
