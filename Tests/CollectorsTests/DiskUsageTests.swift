import Testing

@testable import Collectors

@Suite struct DiskUsageTests {
    @Test func usedIsBlocksMinusAvailableToUnprivileged() {
        // 1000 blocks of 4 KiB, 100 available: the root reserve counts as used.
        let usage = DiskUsage.from(path: "/data", fragmentSize: 4096, blocks: 1000, blocksAvailable: 100)
        #expect(usage.totalBytes == 4_096_000)
        #expect(usage.availableBytes == 409_600)
        #expect(usage.usedPercent == 90)
    }

    @Test func emptyFilesystemReportsZeroInsteadOfDividingByZero() {
        let usage = DiskUsage.from(path: "/proc", fragmentSize: 4096, blocks: 0, blocksAvailable: 0)
        #expect(usage.usedPercent == 0)
    }

    @Test func hugeNumbersSaturateInsteadOfOverflowing() {
        let usage = DiskUsage.from(path: "/", fragmentSize: .max, blocks: 2, blocksAvailable: 1)
        #expect(usage.totalBytes == .max)
    }

    @Test func collectorReadsTheRootFilesystem() async throws {
        let usage = try await DiskCollector(path: "/").collect()
        #expect(usage.path == "/")
        #expect(usage.totalBytes > 0)
        #expect(usage.usedPercent >= 0 && usage.usedPercent <= 100)
    }

    @Test func missingPathIsAFailedReadingNamingThePath() async {
        await #expect {
            try await DiskCollector(path: "/no/such/mount").collect()
        } throws: { error in
            "\(error)" == "statvfs /no/such/mount: No such file or directory"
        }
    }
}
