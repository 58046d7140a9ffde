import FoundationEssentials

/// An AWS access key, possibly temporary. Its description never shows the secret or the
/// session token, so it can be interpolated into a log line safely.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials stop working; nil for long-lived keys.
    public let expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "AWS credentials \(accessKeyID.prefix(4))…" + (expiration.map { " expiring \($0)" } ?? "")
    }
}
