/// The Docker Engine API version to speak: the daemon's (`Api-Version` of `/_ping`),
/// but at least 1.41, the oldest whose container JSON the watchdog reads.
public enum DockerAPIVersion {
    public static let minimum = (1, 41)

    /// `1.47` → `"1.47"`; throws, saying which, when the header is missing, malformed or
    /// older than `minimum`.
    public static func negotiate(_ header: String?) throws -> String {
        guard let header, !header.isEmpty else { throw CollectorError("docker: /_ping has no Api-Version header") }
        let parts = header.split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else {
            throw CollectorError("docker: unreadable Api-Version \(header.prefix(20))")
        }
        guard (major, minor) >= minimum else {
            throw CollectorError("docker: API \(major).\(minor) is older than the 1.41 this watchdog needs")
        }
        return "\(major).\(minor)"
    }
}
