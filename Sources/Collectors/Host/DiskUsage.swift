import Glibc

/// How full one filesystem is, from `statvfs`.
public struct DiskUsage: Sendable, Equatable, Codable {
    public let path: String
    public let totalBytes: UInt64
    /// Bytes an unprivileged process can still write (`f_bavail`).
    public let availableBytes: UInt64

    public init(path: String, totalBytes: UInt64, availableBytes: UInt64) {
        self.path = path
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
    }

    /// Used share in percent, with used = blocks − available-to-unprivileged (SPEC §10.1):
    /// the root reserve counts as used, because a full disk for the orchestrator is full.
    public var usedPercent: Double {
        Collectors.usedPercent(total: totalBytes, available: availableBytes)
    }

    /// Converts the raw `statvfs` fields. Pure, so the arithmetic is tested on numbers.
    public static func from(
        path: String, fragmentSize: UInt64, blocks: UInt64, blocksAvailable: UInt64
    ) -> DiskUsage {
        let (total, totalOverflow) = blocks.multipliedReportingOverflow(by: fragmentSize)
        let (available, availableOverflow) = blocksAvailable.multipliedReportingOverflow(
            by: fragmentSize)
        return DiskUsage(
            path: path,
            totalBytes: totalOverflow ? .max : total,
            availableBytes: availableOverflow ? .max : available)
    }

    /// Calls `statvfs` on `path`. Blocking; callers run it through `BlockingIO`.
    static func stat(_ path: String) throws -> DiskUsage {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw CollectorError("statvfs \(path): \(errnoDescription())")
        }
        let fragmentSize = UInt64(info.f_frsize != 0 ? info.f_frsize : info.f_bsize)
        return from(
            path: path, fragmentSize: fragmentSize, blocks: UInt64(info.f_blocks),
            blocksAvailable: UInt64(info.f_bavail))
    }
}
