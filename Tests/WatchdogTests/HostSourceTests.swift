import Collectors
import Foundation
import TestSupport
import Testing

@testable import Watchdog

@Suite struct HostSourceTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func memoryIsActiveAtOrAboveTheThreshold() {
        let source = HostMemorySource(procRoot: "/proc", thresholdPercent: 90, texts: Texts(.en))
        let gib: UInt64 = 1 << 30
        let at = source.signals(from: MemInfo(totalBytes: 10 * gib, availableBytes: gib), now: now)
        let below = source.signals(from: MemInfo(totalBytes: 10 * gib, availableBytes: 2 * gib), now: now)
        #expect(at.map(\.active) == [true])
        #expect(below.map(\.active) == [false])
        #expect(at[0].key == SignalKey(.hostMemory))
        #expect(at[0].severity == .warning)
        #expect(at[0].detail == "memory 90% used (threshold 90%), 1.0 GiB available of 10.0 GiB")
    }

    @Test func diskIsCriticalAndKeyedByPath() {
        let source = DiskSource(path: "/data", thresholdPercent: 90, texts: Texts(.en))
        let signals = source.signals(
            from: DiskUsage(path: "/data", totalBytes: 1000, availableBytes: 50), now: now)
        #expect(signals.map(\.key) == [SignalKey(.diskFull, "/data")])
        #expect(signals[0].active)
        #expect(signals[0].severity == .critical)
        #expect(signals[0].title == "Disk /data is almost full")
        #expect(source.name == "disk:/data")
        #expect(source.ownership.owns(SignalKey(.diskFull, "/data")))
        #expect(!source.ownership.owns(SignalKey(.diskFull, "/")))
    }

    @Test func russianTexts() {
        let source = DiskSource(path: "/", thresholdPercent: 90, texts: Texts(.ru))
        let signals = source.signals(from: DiskUsage(path: "/", totalBytes: 1000, availableBytes: 50), now: now)
        #expect(signals[0].title == "Диск / почти заполнен")
        #expect(signals[0].detail.hasPrefix("занято 95%"))
    }

    @Test func theDefaultConfigurationWatchesMemoryAndEachDiskPath() throws {
        let configuration = try Configuration.load(
            process: ["WATCHDOG_DISK_PATHS": "/,/tmp"], workingDirectory: nil
        ).configuration
        #expect(
            FeatureCatalog.sources(for: configuration, clock: ContinuousClock()).map(\.name) == [
                "memory", "disk:/", "disk:/tmp",
            ])
    }

    @Test func aMissingMeminfoIsAFailedCollectionNamingTheFile() async throws {
        let directory = try TemporaryDirectory()
        let source = HostMemorySource(procRoot: directory.path, thresholdPercent: 90, texts: Texts(.en))
        let engine = TickEngine(
            sources: [source],
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 1, policies: .standard(cooldown: nil, processCooldown: nil),
                texts: Texts(.en)), collectTimeout: .seconds(10), clock: ContinuousClock())
        let outcomes = await engine.collect(now: now)
        #expect(outcomes[0].status == .failed("cannot open \(directory.path)/meminfo: No such file or directory"))
        let evaluation = await engine.conclude(outcomes, now: now)
        #expect(evaluation.notifications.map(\.key) == ["collector_failed:memory"])
    }
}
