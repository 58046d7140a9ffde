import Collectors
import FoundationEssentials

/// `disk_full:<path>`: used share of one filesystem at or above `WATCHDOG_DISK_PCT`.
///
/// One source per path, so an unmounted path fails alone (`collector_failed:disk:<path>`)
/// and never turns the other paths' keys unknown.
public struct DiskSource: StatelessSource {
    public let name: String
    public let ownership: KeyOwnership
    let collector: DiskCollector
    let thresholdPercent: Double
    let texts: Texts

    public init(path: String, thresholdPercent: Double, texts: Texts) {
        self.name = "disk:\(path)"
        self.ownership = .key(SignalKey(.diskFull, path))
        self.collector = DiskCollector(path: path)
        self.thresholdPercent = thresholdPercent
        self.texts = texts
    }

    public func collect(now: Date) async throws -> DiskUsage {
        try await collector.collect()
    }

    public func signals(from reading: DiskUsage, now: Date) -> [Signal] {
        let used = reading.usedPercent
        return [
            Signal(
                key: SignalKey(.diskFull, reading.path), active: used >= thresholdPercent,
                severity: .critical, title: texts.diskTitle(path: reading.path),
                detail: texts.diskDetail(
                    .init(
                        usedPercent: used, thresholdPercent: thresholdPercent,
                        freeBytes: reading.availableBytes, totalBytes: reading.totalBytes)))
        ]
    }
}
