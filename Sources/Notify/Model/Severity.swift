/// How urgent a problem is. Ordered: `warning < critical`.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case warning
    case critical

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .warning && rhs == .critical
    }
}
