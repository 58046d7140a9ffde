/// Runs `statvfs` on one path. Each configured path gets its own collector, so one
/// unmounted path is one failed reading and never hides the others.
public struct DiskCollector: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func collect() async throws -> DiskUsage {
        let path = self.path
        return try await BlockingIO.run { try DiskUsage.stat(path) }
    }
}
