/// The two numbers of `/proc/meminfo` that say how full memory is, in bytes.
public struct MemInfo: Sendable, Equatable, Codable {
    public let totalBytes: UInt64
    public let availableBytes: UInt64

    public init(totalBytes: UInt64, availableBytes: UInt64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
    }

    /// Used share in percent, as `free` computes it: (MemTotal − MemAvailable) / MemTotal.
    public var usedPercent: Double {
        Collectors.usedPercent(total: totalBytes, available: availableBytes)
    }

    /// Parses the text of `/proc/meminfo`.
    ///
    /// Kernels before 3.14 have no `MemAvailable`; there the estimate is
    /// `MemFree + Buffers + Cached`, which is what tools did before the field existed.
    /// Lines that are not `Name: number [kB]` are ignored, so new kernel fields never
    /// break the parser; a missing `MemTotal` is an error.
    public static func parse(_ text: String) throws -> MemInfo {
        var fields: [Substring: UInt64] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(512) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon]
            guard Self.wanted.contains(name) else { continue }
            let parts = line[line.index(after: colon)...].split(separator: " ")
            guard let number = parts.first.flatMap({ UInt64($0) }) else {
                throw CollectorError("meminfo: \(name) has no number: \(line.prefix(80))")
            }
            let unit = parts.dropFirst().first
            let multiplier: UInt64
            switch unit {
            case nil: multiplier = 1
            case "kB": multiplier = 1024
            default: throw CollectorError("meminfo: \(name) has unknown unit \(unit!.prefix(16))")
            }
            let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { throw CollectorError("meminfo: \(name) is out of range") }
            fields[name] = bytes
        }
        guard let total = fields["MemTotal"] else {
            throw CollectorError("meminfo: no MemTotal line")
        }
        guard total > 0 else { throw CollectorError("meminfo: MemTotal is 0") }
        if let available = fields["MemAvailable"] {
            return MemInfo(totalBytes: total, availableBytes: available)
        }
        guard let free = fields["MemFree"] else {
            throw CollectorError("meminfo: neither MemAvailable nor MemFree")
        }
        let estimate = free &+ (fields["Buffers"] ?? 0) &+ (fields["Cached"] ?? 0)
        return MemInfo(totalBytes: total, availableBytes: min(estimate, total))
    }

    private static let wanted: Set<Substring> = [
        "MemTotal", "MemAvailable", "MemFree", "Buffers", "Cached",
    ]
}
