import FoundationEssentials
import Glibc
import Logging

/// The incident log (SPEC §14): every incident of the last `WATCHDOG_HISTORY_KEEP` (at
/// most 10,000) in memory, and appended as JSON Lines to `WATCHDOG_HISTORY_FILE` as they
/// change. The one writer of the file. Compacted (rewritten with one line per incident
/// kept) at start and once a day, and sooner when the lines since outgrow the incidents.
///
/// A file that cannot be read or written is logged once, with the reason, and the
/// incidents stay in memory: history never stops the watchdog.
public actor IncidentLog {
    /// At most this many incidents, whatever their age.
    public static let capacity = 10_000
    /// The file read at start is at most this long; a longer one is read from its end.
    static let readLimit = 64 * 1024 * 1024
    static let compactionInterval: TimeInterval = 24 * 3600

    private let path: String?
    private let keep: TimeInterval
    private let capacity: Int
    private let logger: Logger
    /// Oldest start first.
    private var incidents: [Incident] = []
    private var positions: [String: Int] = [:]
    private var lastCompaction: Date?
    /// Lines appended since the last compaction.
    private var appended = 0
    /// The failure logged: until a write succeeds again, nothing more is logged.
    private var failure: String?

    /// `path` nil keeps the log in memory only.
    public init(path: String?, keep: TimeInterval, logger: Logger, capacity: Int = IncidentLog.capacity) {
        self.path = path
        self.keep = keep
        self.capacity = capacity
        self.logger = logger
    }

    /// Reads the file (a torn or bad line costs that line) and compacts it.
    public func start(now: Date) {
        if let path {
            switch Self.read(path) {
            case .success(let bytes):
                let (read, skipped) = IncidentLines.parse(bytes)
                if skipped > 0 {
                    logger.warning(
                        "incident log lines that do not parse were skipped",
                        metadata: ["file": "\(path)", "lines": "\(skipped)"])
                }
                replace(with: read)
            case .failure(let error):
                report("cannot read the incident log; history starts empty", error)
            }
        }
        compact(now: now)
    }

    /// Takes a tick's changes: each is the incident as it now stands, and one line.
    public func record(_ changes: [Incident], now: Date) {
        guard !changes.isEmpty else {
            if lastCompaction.map({ now.timeIntervalSince($0) >= Self.compactionInterval }) ?? false {
                compact(now: now)
            }
            return
        }
        for incident in changes {
            if let position = positions[incident.id] {
                incidents[position] = incident
            } else if let last = incidents.last, (last.startedAt, last.id) > (incident.startedAt, incident.id) {
                // Rare (a start older than the newest kept): placed in order.
                replace(with: incidents + [incident])
            } else {
                positions[incident.id] = incidents.count
                incidents.append(incident)
            }
        }
        if incidents.count > capacity {
            replace(with: IncidentLines.kept(incidents, keep: .infinity, limit: capacity, now: now))
        }
        appended += changes.count
        let due = lastCompaction.map { now.timeIntervalSince($0) >= Self.compactionInterval } ?? true
        if due || appended > 4 * capacity {
            compact(now: now)
        } else {
            append(changes)
        }
    }

    /// Every incident kept, oldest start first.
    public func all() -> [Incident] { incidents }

    private func replace(with list: [Incident]) {
        incidents = IncidentLines.ordered(list)
        positions = Dictionary(incidents.enumerated().map { ($0.element.id, $0.offset) }) { _, last in last }
    }

    private func compact(now: Date) {
        replace(with: IncidentLines.kept(incidents, keep: keep, limit: capacity, now: now))
        lastCompaction = now
        appended = 0
        guard let path else { return }
        var bytes = Data()
        for incident in incidents { bytes.append(IncidentLines.line(incident)) }
        do {
            try StateFile(path: path).write(bytes)
            recovered()
        } catch {
            report("cannot write the incident log; incidents are kept in memory", error)
        }
    }

    private func append(_ changes: [Incident]) {
        guard let path else { return }
        var bytes = Data()
        for incident in changes { bytes.append(IncidentLines.line(incident)) }
        do {
            try Self.append(bytes, to: path)
            recovered()
        } catch {
            report("cannot write the incident log; incidents are kept in memory", error)
        }
    }

    private func report(_ message: Logger.Message, _ error: any Error) {
        guard failure == nil else { return }
        let reason = "\(error)"
        failure = reason
        logger.error(message, metadata: ["file": "\(path ?? "")", "error": "\(reason)"])
    }

    private func recovered() {
        guard failure != nil else { return }
        failure = nil
        logger.notice("the incident log is written again", metadata: ["file": "\(path ?? "")"])
    }

    /// The file's bytes, at most `readLimit` of its end (from a line start); empty when
    /// it does not exist.
    static func read(_ path: String) -> Result<[UInt8], StateFileError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return .success([]) }
            return .failure(StateFileError("cannot open \(path): \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        var info = stat()
        let size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
        let skipped = max(0, size - readLimit)
        if skipped > 0 { lseek(descriptor, off_t(skipped), SEEK_SET) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(size, readLimit))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count < readLimit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(StateFileError("cannot read \(path): \(String(cString: strerror(errno)))"))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<min(count, readLimit - bytes.count)])
        }
        if skipped > 0, let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            bytes.removeSubrange(...newline)
        }
        return .success(bytes)
    }

    /// Appends whole lines. A line torn by a crash before them is ended first, so it
    /// costs only itself.
    static func append(_ bytes: Data, to path: String) throws(StateFileError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StateFileError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var payload = bytes
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_size > 0 {
            var last: UInt8 = 0
            if pread(descriptor, &last, 1, info.st_size - 1) == 1, last != UInt8(ascii: "\n") {
                payload.insert(UInt8(ascii: "\n"), at: 0)
            }
        }
        let failure = StateFile.writeAll(payload, to: descriptor, naming: path)
        if let failure { throw StateFileError(failure) }
    }
}
