import Collectors
import FoundationEssentials

/// `host_memory`: used share of memory at or above `WATCHDOG_MEM_PCT`.
public struct HostMemorySource: StatelessSource {
    public let name = "memory"
    public let ownership = KeyOwnership.families([.hostMemory])
    let collector: MemoryCollector
    let thresholdPercent: Double
    let texts: Texts

    public init(procRoot: String, thresholdPercent: Double, texts: Texts) {
        self.collector = MemoryCollector(procRoot: procRoot)
        self.thresholdPercent = thresholdPercent
        self.texts = texts
    }

    public func collect(now: Date) async throws -> MemInfo {
        try await collector.collect()
    }

    public func signals(from reading: MemInfo, now: Date) -> [Signal] {
        let used = reading.usedPercent
        return [
            Signal(
                key: SignalKey(.hostMemory), active: used >= thresholdPercent, severity: .warning,
                title: texts.memoryTitle(),
                detail: texts.memoryDetail(
                    .init(
                        usedPercent: used, thresholdPercent: thresholdPercent,
                        freeBytes: reading.availableBytes, totalBytes: reading.totalBytes)))
        ]
    }
}
