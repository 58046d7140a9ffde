import TestSupport
import Testing

@testable import Collectors

@Suite struct MemInfoTests {
    @Test func readsTotalAndAvailableFromARealMeminfo() throws {
        let info = try MemInfo.parse(FixtureFiles.text("meminfo-debian12"))
        #expect(info.totalBytes == 24_684_092 * 1024)
        #expect(info.availableBytes == 24_362_284 * 1024)
        #expect(info.usedPercent > 0 && info.usedPercent < 2)
    }

    @Test func usedPercentIsTotalMinusAvailableOverTotal() throws {
        let info = try MemInfo.parse(FixtureFiles.text("meminfo-nearly-full"))
        #expect(info.usedPercent == 95)
    }

    @Test func estimatesAvailableOnKernelsWithoutMemAvailable() throws {
        let info = try MemInfo.parse(FixtureFiles.text("meminfo-linux-3.10"))
        #expect(info.availableBytes == (512_000 + 102_400 + 1_433_600) * 1024)
    }

    @Test(arguments: [
        ("", "no MemTotal"),
        ("MemFree: 100 kB\n", "no MemTotal"),
        ("MemTotal: lots kB\n", "MemTotal has no number"),
        ("MemTotal: 100 MB\n", "unknown unit"),
        ("MemTotal: 0 kB\nMemAvailable: 0 kB\n", "MemTotal is 0"),
        ("MemTotal: 18446744073709551615 kB\n", "out of range"),
        ("MemTotal: 100 kB\n", "neither MemAvailable nor MemFree"),
        ("<html>502 Bad Gateway</html>", "no MemTotal"),
    ])
    func rejectsMalformedInputWithAClearError(text: String, expected: String) {
        #expect {
            try MemInfo.parse(text)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func availableAboveTotalIsClampedToZeroUse() throws {
        let info = try MemInfo.parse("MemTotal: 100 kB\nMemAvailable: 200 kB\n")
        #expect(info.usedPercent == 0)
    }

    @Test func ignoresUnknownAndMalformedOtherLines() throws {
        let info = try MemInfo.parse("garbage\nMemTotal: 1000 kB\nWeird: x y z\nMemAvailable: 250 kB\n")
        #expect(info.usedPercent == 75)
    }

    @Test func collectorReadsMeminfoUnderTheConfiguredRoot() async throws {
        let scratch = try TemporaryDirectory()
        let root = scratch.path
        try "MemTotal: 1000 kB\nMemAvailable: 100 kB\n".write(
            toFile: root + "/meminfo", atomically: true, encoding: .utf8)
        let info = try await MemoryCollector(procRoot: root).collect()
        #expect(info.usedPercent == 90)
    }

    @Test func collectorFailsClearlyWhenMeminfoIsMissing() async throws {
        let scratch = try TemporaryDirectory()
        let root = scratch.path
        await #expect {
            try await MemoryCollector(procRoot: root).collect()
        } throws: { error in
            "\(error)".contains("cannot open \(root)/meminfo")
        }
    }
}
