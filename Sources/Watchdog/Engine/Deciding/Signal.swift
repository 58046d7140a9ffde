import Notify

/// What evaluation says about one key this tick (SPEC §3): active or not, how bad, and
/// the words a person will read.
public struct Signal: Sendable, Codable, Equatable {
    public let key: SignalKey
    public let active: Bool
    public let severity: Severity
    public let title: String
    public let detail: String

    public init(key: SignalKey, active: Bool, severity: Severity, title: String, detail: String) {
        self.key = key
        self.active = active
        self.severity = severity
        self.title = title
        self.detail = detail
    }
}
