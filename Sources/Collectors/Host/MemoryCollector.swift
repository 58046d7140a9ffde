/// Reads `<procRoot>/meminfo`.
public struct MemoryCollector: Sendable {
    public let procRoot: String

    public init(procRoot: String) {
        self.procRoot = procRoot
    }

    /// A real meminfo is about 1.5 KiB; anything past 64 KiB is not a meminfo.
    static let sizeLimit = 64 * 1024

    public func collect() async throws -> MemInfo {
        let path = procRoot.hasSuffix("/") ? procRoot + "meminfo" : procRoot + "/meminfo"
        return try await BlockingIO.run {
            try MemInfo.parse(BoundedFile.readText(path, limit: Self.sizeLimit))
        }
    }
}
