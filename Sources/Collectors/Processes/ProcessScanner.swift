import FoundationEssentials
import Glibc
import NIOConcurrencyHelpers

/// What to look for in command lines (`WATCHDOG_PROC_PATTERNS`): plain substrings, or
/// regular expressions written `re:<expression>` (RE2's syntax, searched anywhere in the
/// line, in linear time: see `LinearRegex`).
public struct CommandPatterns: Sendable {
    public enum Pattern: Sendable {
        case substring(String)
        case expression(source: String, LinearRegex)
    }

    public let patterns: [Pattern]

    /// Throws, naming the pattern, when a `re:` expression does not compile.
    public init(_ texts: [String]) throws(CollectorError) {
        var patterns: [Pattern] = []
        for text in texts {
            guard text.hasPrefix("re:") else {
                patterns.append(.substring(text))
                continue
            }
            let source = String(text.dropFirst(3))
            do {
                patterns.append(.expression(source: source, try LinearRegex(source)))
            } catch {
                throw CollectorError("\"\(source.prefix(100))\" is not a regular expression: \(error.reason)")
            }
        }
        self.patterns = patterns
    }

    public func matches(_ commandLine: String) -> Bool {
        patterns.contains { pattern in
            switch pattern {
            case .substring(let text):
                return commandLine.contains(text)
            case .expression(_, let expression):
                return expression.containsMatch(in: commandLine)
            }
        }
    }
}

/// One process the scan found: its command line matches and it is old enough.
public struct MatchedProcess: Sendable, Equatable, Encodable {
    public let pid: Int
    /// `comm` from stat.
    public let name: String
    public let startTicks: UInt64
    public let ageSeconds: Double
    public let commandLine: String

    public init(pid: Int, name: String, startTicks: UInt64, ageSeconds: Double, commandLine: String) {
        self.pid = pid
        self.name = name
        self.startTicks = startTicks
        self.ageSeconds = ageSeconds
        self.commandLine = commandLine
    }
}

/// One scan of a process table.
public struct ProcessScan: Sendable, Equatable, Encodable {
    /// Processes looked at (kernel threads and the watchdog itself excluded).
    public var scanned = 0
    /// Entries that vanished while being read, or could not be read or parsed.
    public var skipped = 0
    public var matched: [MatchedProcess] = []
    /// Matching processes past `ProcessScanner.maximumMatched`, not kept.
    public var leftOut = 0
    /// The table had more than `ProcessScanner.entryLimit` entries; the rest were not read.
    public var tableCut = false

    public init(scanned: Int = 0, skipped: Int = 0, matched: [MatchedProcess] = []) {
        self.scanned = scanned
        self.skipped = skipped
        self.matched = matched
    }
}

/// What a scan learned about one process. Valid while the pid, its start time and its
/// `comm` stay the same: a reused pid has another start time, and `exec` (which keeps
/// both) changes `comm` unless the new program has the same name.
public struct SeenProcess: Sendable, Equatable {
    public let startTicks: UInt64
    public let name: String
    /// A kernel thread, or the watchdog itself: never matched.
    public let ignored: Bool
    public var commandLine: SeenCommandLine
    /// The scan that last read the process's `stat`.
    public let checkedAt: UInt64
}

public enum SeenCommandLine: Sendable, Equatable {
    /// Not old enough to be matched when last seen.
    case notRead
    case unmatched
    /// The displayed command line.
    case matched(String)
}

/// What the last scans saw, by pid (only the processes the last one saw: the rest are
/// gone), and how many scans there were.
public struct SeenProcesses: Sendable, Equatable {
    public var scans: UInt64 = 0
    public var processes: [Int: SeenProcess] = [:]

    public init() {}
}

/// Scans `<root>/<pid>/stat` and `<root>/<pid>/cmdline`, nothing else (never `environ`),
/// read-only (SPEC §10.4, §12).
///
/// Every file is read with a bound into one reused buffer; a process that vanishes
/// mid-scan, an unreadable entry or a malformed file is skipped and counted, never an
/// error for the scan. Only a process table that cannot be listed at all, or a missing
/// boot time, fails the scan.
///
/// Incremental (`SeenProcesses`): the first scan reads every `stat`; after that a
/// process's `stat` is read again once every `recheckEvery` scans (spread over the
/// scans by pid), which is how a reused pid or an `exec` is noticed: within 10 scans.
/// Its age comes from the start time already read. Its command line is read once, when
/// it is first old enough to matter. A process that rewrites its own argv in place
/// (`setproctitle`) after that keeps the line first read.
public struct ProcessScanner: Sendable {
    public let root: String
    public let clockTicksPerSecond: Double
    /// What the last `collect` saw, for the next one. Taken out for the length of a scan,
    /// so a scan abandoned by its timeout and still running cannot race the next one
    /// (that one then reads every command line again).
    private let seen = NIOLockedValueBox(SeenProcesses())

    /// A stat line is a few hundred bytes; a command line can be up to ARG_MAX (2 MiB),
    /// of which the first 64 KiB are matched.
    static let statLimit = 4 * 1024
    static let commandLineLimit = 64 * 1024
    /// Entries of the process table read in one scan (Linux allows about 4 million pids).
    public static let entryLimit = 1_000_000
    /// Matching processes kept in one scan (each is a key; SPEC §12: the first are kept,
    /// the rest counted).
    public static let maximumMatched = 1_000
    /// Processes remembered between scans; past it the rest are read every scan.
    public static let maximumSeen = 100_000
    /// A known process's `stat` is read again after this many scans.
    public static let recheckEvery: UInt64 = 10

    public init(root: String, clockTicksPerSecond: Double = Double(sysconf(Int32(_SC_CLK_TCK)))) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.clockTicksPerSecond = clockTicksPerSecond > 0 ? clockTicksPerSecond : 100
    }

    /// One scan off the cooperative pool, aged against the tick's `now`, incremental on
    /// what the last one saw. The patterns must be the same from scan to scan (a new
    /// configuration makes a new scanner).
    public func collect(patterns: CommandPatterns, minimumAge: Duration, now: Date) async throws -> ProcessScan {
        try await BlockingIO.run {
            var known = seen.withLockedValue { known in
                defer { known = SeenProcesses() }
                return known
            }
            let scan = try scan(patterns: patterns, minimumAge: minimumAge, now: now, seen: &known)
            seen.withLockedValue { $0 = known }
            return scan
        }
    }

    /// One scan that reads every command line.
    public func scan(patterns: CommandPatterns, minimumAge: Duration, now: Date) throws -> ProcessScan {
        var known = SeenProcesses()
        return try scan(patterns: patterns, minimumAge: minimumAge, now: now, seen: &known)
    }

    /// One scan: `seen` holds what the last scan with the same patterns saw, and holds
    /// what this one saw on return.
    public func scan(
        patterns: CommandPatterns, minimumAge: Duration, now: Date, seen: inout SeenProcesses
    ) throws -> ProcessScan {
        let bootTime = try BootTime.parse(BoundedFile.readText(root + "/stat", limit: 4 * 1024 * 1024))
        let ownPID = Self.ownPID(root: root)
        guard let directory = opendir(root) else {
            throw CollectorError("cannot list \(root): \(errnoDescription())")
        }
        defer { closedir(directory) }

        let rootDescriptor = dirfd(directory)
        seen.scans &+= 1
        let scanNumber = seen.scans
        let previous = seen.processes
        seen.processes = [:]
        seen.processes.reserveCapacity(min(previous.count, Self.maximumSeen))
        func remember(_ pid: Int, _ process: SeenProcess) {
            if seen.processes.count < Self.maximumSeen { seen.processes[pid] = process }
        }
        var scan = ProcessScan()
        var buffer = [UInt8](repeating: 0, count: Self.commandLineLimit)
        var entries = 0
        let minimumAgeSeconds = Double(minimumAge.wholeMicroseconds) / 1_000_000
        let nowSeconds = now.timeIntervalSince1970
        while let entry = readdir(directory) {
            entries += 1
            guard entries <= Self.entryLimit else {
                scan.tableCut = true
                break
            }
            guard let pid = Self.pid(entry) else { continue }
            var process: SeenProcess
            if let known = previous[pid], scanNumber &- known.checkedAt < Self.recheckEvery {
                process = known
            } else {
                guard
                    let statCount = Self.read(
                        pid: pid, file: "stat", in: rootDescriptor, into: &buffer, limit: Self.statLimit),
                    statCount < Self.statLimit,
                    let stat = try? ProcessStat.parse(line: buffer[0..<statCount])
                else {
                    scan.skipped += 1
                    continue
                }
                let known = previous[pid]
                let same = known.map { $0.startTicks == stat.startTicks && $0.name == stat.name } ?? false
                process = SeenProcess(
                    startTicks: stat.startTicks, name: stat.name, ignored: stat.isKernelThread || stat.pid == ownPID,
                    commandLine: same ? known!.commandLine : .notRead,
                    // A process first seen is due again in 1 to `recheckEvery` scans, by
                    // its pid, so the re-reads spread over the scans.
                    checkedAt: known == nil ? scanNumber &- UInt64(pid % Int(Self.recheckEvery)) : scanNumber)
            }
            if process.ignored {
                remember(pid, process)
                continue
            }
            scan.scanned += 1
            let age = nowSeconds - (bootTime + Double(process.startTicks) / clockTicksPerSecond)
            guard age >= minimumAgeSeconds else {
                remember(pid, process)
                continue
            }
            if process.commandLine == .notRead {
                guard
                    let count = Self.read(
                        pid: pid, file: "cmdline", in: rootDescriptor, into: &buffer, limit: Self.commandLineLimit)
                else {
                    scan.skipped += 1
                    continue
                }
                let commandLine = ProcessCommandLine.display(buffer[0..<count], name: process.name)
                process.commandLine = patterns.matches(commandLine) ? .matched(commandLine) : .unmatched
            }
            remember(pid, process)
            if case .matched(let commandLine) = process.commandLine {
                guard scan.matched.count < Self.maximumMatched else {
                    scan.leftOut += 1
                    continue
                }
                scan.matched.append(
                    MatchedProcess(
                        pid: pid, name: process.name, startTicks: process.startTicks, ageSeconds: age,
                        commandLine: commandLine))
            }
        }
        return scan
    }

    /// The pid of a directory entry named by digits only.
    private static func pid(_ entry: UnsafeMutablePointer<dirent>) -> Int? {
        withUnsafeBytes(of: entry.pointee.d_name) { name -> Int? in
            var value = 0
            var digits = 0
            for byte in name {
                if byte == 0 { break }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 10 else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            }
            return digits > 0 ? value : nil
        }
    }

    /// Reads up to `limit` bytes of `<pid>/<file>` below the process table's directory
    /// into `buffer`; nil when it cannot be opened or read (the process is gone, or the
    /// entry is not readable). Non-blocking open, so a FIFO planted in a fixture or a
    /// hostile tree cannot hang the scan; relative to the directory, so no path string is
    /// built per process.
    static func read(
        pid: Int, file: StaticString, in directory: Int32, into buffer: inout [UInt8], limit: Int
    ) -> Int? {
        var path = [CChar](repeating: 0, count: 32)
        var length = 0
        for digit in String(pid).utf8 {
            path[length] = CChar(bitPattern: digit)
            length += 1
        }
        path[length] = CChar(bitPattern: UInt8(ascii: "/"))
        length += 1
        file.withUTF8Buffer { name in
            for byte in name {
                path[length] = CChar(bitPattern: byte)
                length += 1
            }
        }
        let descriptor = openat(directory, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var total = 0
        while total < limit {
            let count = buffer.withUnsafeMutableBytes { bytes in
                Glibc.read(descriptor, bytes.baseAddress! + total, limit - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            total += count
        }
        return total
    }

    /// The watchdog's own pid as this process table numbers it: `<root>/self` of a real
    /// procfs (right inside a pid namespace too); nil for a tree without it, which then
    /// does not hold the watchdog.
    static func ownPID(root: String) -> Int? {
        var target = [CChar](repeating: 0, count: 32)
        let length = readlink(root + "/self", &target, target.count - 1)
        guard length > 0 else { return nil }
        return Int(String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
