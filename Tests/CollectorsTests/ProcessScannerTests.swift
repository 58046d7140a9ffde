import Foundation
import TestSupport
import Testing

@testable import Collectors

@Suite struct ProcessStatTests {
    /// A real line of a shell, fields 1–22 and more.
    static func line(
        pid: Int = 4242, name: String = "bash", parent: Int = 1, flags: UInt64 = 4_194_560, start: UInt64 = 1733
    )
        -> String
    {
        "\(pid) (\(name)) S \(parent) 4242 4242 34816 4242 \(flags) 1254 0 0 0 1 0 0 0 20 0 1 0 \(start) 8839168 1280 18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 0 0 0 17 1 0 0 0 0 0\n"
    }

    @Test func aStatLineGivesPidNameParentFlagsAndStartTime() throws {
        let stat = try ProcessStat.parse(Array(Self.line().utf8))
        #expect(stat == ProcessStat(pid: 4242, name: "bash", parentPID: 1, flags: 4_194_560, startTicks: 1733))
        #expect(!stat.isKernelThread)
    }

    @Test func aNameWithSpacesAndParenthesesIsReadUpToTheLastParenthesis() throws {
        let stat = try ProcessStat.parse(Array(Self.line(name: "my (odd) ) name", start: 99).utf8))
        #expect(stat.name == "my (odd) ) name")
        #expect(stat.startTicks == 99)
    }

    @Test func kernelThreadsAreRecognised() throws {
        #expect(try ProcessStat.parse(Array(Self.line(name: "kworker/0:1", flags: 0x0020_8040).utf8)).isKernelThread)
        #expect(try ProcessStat.parse(Array(Self.line(pid: 2, name: "kthreadd", parent: 0).utf8)).isKernelThread)
        #expect(try ProcessStat.parse(Array(Self.line(pid: 77, parent: 2, flags: 0).utf8)).isKernelThread)
    }

    @Test(arguments: [
        "", "4242 bash S 1", "4242 (bash) S 1 2 3", "x (bash) S 1 4242 4242 34816 4242 0 1 0 0 0 1 0 0 0 20 0 1 0 5 1",
        "4242 (bash) S one 4242 4242 34816 4242 0 1254 0 0 0 1 0 0 0 20 0 1 0 1733 1",
        "4242 (bash) S 1 4242 4242 34816 4242 0 1254 0 0 0 1 0 0 0 20 0 1 0 99999999999999999999999 1",
        ") 4242 (bash S 1",
    ])
    func malformedLinesAreErrors(line: String) {
        #expect(throws: CollectorError.self) { try ProcessStat.parse(Array(line.utf8)) }
    }

    @Test func commandLinesJoinTheirArgumentsWithSpaces() {
        #expect(
            ProcessCommandLine.display(Array("python3\0-m\0pytest\0-k\0slow\0".utf8), name: "python3")
                == "python3 -m pytest -k slow")
        #expect(
            ProcessCommandLine.display(Array("nginx: worker process".utf8), name: "nginx") == "nginx: worker process")
        #expect(ProcessCommandLine.display([], name: "defunct") == "[defunct]")
    }

    @Test func theBootTimeIsTheBtimeLine() throws {
        #expect(try BootTime.parse("cpu  1 2 3\nintr 5\nbtime 1732000000\nprocesses 9\n") == 1_732_000_000)
        #expect(throws: CollectorError.self) { try BootTime.parse("cpu 1 2 3\n") }
    }

    @Test func patternsAreSubstringsOrRegularExpressions() throws {
        let patterns = try CommandPatterns(["pytest", #"re:^python3? .*-m unittest"#])
        #expect(patterns.matches("/usr/bin/python3 -m pytest tests/"))
        #expect(patterns.matches("python3 -q -m unittest discover"))
        #expect(!patterns.matches("/usr/bin/python3 -m unittest"))
        #expect(
            throws: CollectorError("\"(unclosed\" is not a regular expression: missing ) in the regular expression")
        ) {
            try CommandPatterns(["re:(unclosed"])
        }
    }
}

/// A fixture process table: boot time, processes of every kind, hostile entries.
@Suite struct ProcessScannerTests {
    let boot = 1_800_000_000.0
    let now = Date(timeIntervalSince1970: 1_800_000_000 + 10 * 3600)

    /// Start ticks (100 per second) for a process of this age at `now`.
    func start(age seconds: Double) -> UInt64 { UInt64((10 * 3600 - seconds) * 100) }

    func tree() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory()
        _ = try root.write("stat", "cpu  1 2 3 4\nbtime \(Int(boot))\nprocesses 100\n")
        _ = try root.write("meminfo", "MemTotal: 1 kB\n")
        func process(_ pid: Int, name: String = "python3", age: Double, cmdline: String?, flags: UInt64 = 0) throws {
            try FileManager.default.createDirectory(atPath: root.path + "/\(pid)", withIntermediateDirectories: true)
            _ = try root.write(
                "\(pid)/stat", ProcessStatTests.line(pid: pid, name: name, flags: flags, start: start(age: age)))
            if let cmdline { _ = try root.write("\(pid)/cmdline", cmdline) }
        }
        try process(100, age: 7200, cmdline: "python3\0-m\0pytest\0tests/\0")
        try process(101, age: 60, cmdline: "python3\0-m\0pytest\0young\0")
        try process(102, name: "pytest-kworker", age: 9000, cmdline: "", flags: 0x0020_0000)
        try process(103, age: 9000, cmdline: "sleep\0infinity\0")
        try process(104, name: "pytest", age: 9000, cmdline: "")  // a zombie: shown as [pytest]
        try process(105, age: 9000, cmdline: "<b>pytest</b> & <script>alert(1)</script>")
        try process(106, age: 9000, cmdline: String(repeating: "x", count: 100_000) + "\0pytest\0")
        try process(107, age: 9000, cmdline: "pytest\0" + String(repeating: "y\0", count: 200_000))
        try process(108, age: 9000, cmdline: "watchdog\0pytest-lookalike\0")
        // Broken entries: a malformed stat, a stat that is a directory, a pid whose
        // files are gone (it exited between listing and reading), a stat too long.
        try FileManager.default.createDirectory(atPath: root.path + "/200", withIntermediateDirectories: true)
        _ = try root.write("200/stat", "garbage")
        try FileManager.default.createDirectory(atPath: root.path + "/201/stat", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path + "/202", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path + "/203", withIntermediateDirectories: true)
        _ = try root.write("203/stat", String(repeating: "9", count: 10_000))
        // Not processes.
        try FileManager.default.createDirectory(atPath: root.path + "/sys", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.path + "/self", withDestinationPath: "108")
        return root
    }

    @Test func theScanFindsOldMatchingProcessesAndSkipsEverythingElse() throws {
        let root = try tree()
        let scan = try ProcessScanner(root: root.path, clockTicksPerSecond: 100).scan(
            patterns: CommandPatterns(["pytest"]), minimumAge: .seconds(3600), now: now)
        #expect(scan.matched.map(\.pid).sorted() == [100, 104, 105, 107])
        // 100, 101, 103, 104, 105, 106, 107 looked at; 102 is a kernel thread, 108 itself.
        #expect(scan.scanned == 7)
        #expect(scan.skipped == 4)
        let first = try #require(scan.matched.first { $0.pid == 100 })
        #expect(first.commandLine == "python3 -m pytest tests/")
        #expect(first.name == "python3")
        #expect(abs(first.ageSeconds - 7200) < 0.01)
        #expect(first.startTicks == start(age: 7200))
        #expect(scan.matched.first { $0.pid == 104 }?.commandLine == "[pytest]")
        #expect(scan.matched.first { $0.pid == 105 }?.commandLine == "<b>pytest</b> & <script>alert(1)</script>")
        // Only the first 64 KiB of a command line are read and matched.
        #expect(scan.matched.first { $0.pid == 107 }?.commandLine.utf8.count == 64 * 1024)
    }

    /// SPEC §12: more matching processes than the limit keep the first, count the rest.
    @Test func matchingProcessesPastTheLimitAreCountedNotKept() throws {
        let root = try TemporaryDirectory()
        _ = try root.write("stat", "cpu  1 2 3 4\nbtime \(Int(boot))\nprocesses 100\n")
        let count = ProcessScanner.maximumMatched + 100
        for pid in 1_000..<(1_000 + count) {
            try FileManager.default.createDirectory(atPath: root.path + "/\(pid)", withIntermediateDirectories: true)
            _ = try root.write("\(pid)/stat", ProcessStatTests.line(pid: pid, name: "python3", start: start(age: 7200)))
            _ = try root.write("\(pid)/cmdline", "python3\0-m\0pytest\0")
        }
        let scan = try ProcessScanner(root: root.path, clockTicksPerSecond: 100).scan(
            patterns: CommandPatterns(["pytest"]), minimumAge: .seconds(3600), now: now)
        #expect(scan.matched.count == ProcessScanner.maximumMatched)
        #expect(scan.leftOut == 100 && !scan.tableCut && scan.scanned == count)
    }

    /// Incremental scans: a command line is read once per pid, start time and name, a
    /// known process's `stat` once every `recheckEvery` scans (so a reused pid or an
    /// `exec` is noticed within that many scans), and a process gone is forgotten.
    @Test func aCommandLineIsReadOncePerProcessAndStatOnceEveryTenScans() throws {
        let root = try tree()
        let scanner = ProcessScanner(root: root.path, clockTicksPerSecond: 100)
        let patterns = try CommandPatterns(["pytest"])
        var seen = SeenProcesses()
        func scan() throws -> ProcessScan {
            try scanner.scan(patterns: patterns, minimumAge: .seconds(3600), now: now, seen: &seen)
        }
        let first = try scan()
        #expect(first.matched.map(\.pid).sorted() == [100, 104, 105, 107])
        // Every readable process is remembered: 102 (a kernel thread) and 108 (the
        // watchdog) as never matched, 101 (too young) without its command line.
        #expect(seen.processes.keys.sorted() == [100, 101, 102, 103, 104, 105, 106, 107, 108])
        #expect(seen.processes[101]?.commandLine == .notRead)
        #expect(seen.processes[103]?.commandLine == .unmatched)
        #expect(seen.processes[100]?.commandLine == .matched("python3 -m pytest tests/"))
        #expect(seen.processes[102]?.ignored == true && seen.processes[108]?.ignored == true)

        // Every command line now says otherwise, and 107's stat is gone: the next scan
        // reads none of them (107's stat is not due).
        for pid in [100, 103, 105] { _ = try root.write("\(pid)/cmdline", "now\0pytest\0changed\0") }
        _ = try root.write("100/cmdline", "sleep\0")
        try FileManager.default.removeItem(atPath: root.path + "/107/stat")
        #expect(try scan() == first)

        // Pid 103 reused (another start time), 105 exec'd another program (another
        // name), 106 gone: within `recheckEvery` scans 103 and 105 are read again, 107's
        // missing stat is skipped, 106 is forgotten at once.
        _ = try root.write("103/stat", ProcessStatTests.line(pid: 103, name: "python3", start: start(age: 5000)))
        _ = try root.write("105/stat", ProcessStatTests.line(pid: 105, name: "now", start: start(age: 9000)))
        try FileManager.default.removeItem(atPath: root.path + "/106")
        var last = try scan()
        #expect(seen.processes[106] == nil)
        for _ in 1..<ProcessScanner.recheckEvery { last = try scan() }
        #expect(last.matched.map(\.pid).sorted() == [100, 103, 104, 105])
        #expect(last.matched.first { $0.pid == 103 }?.commandLine == "now pytest changed")
        #expect(last.matched.first { $0.pid == 105 }?.commandLine == "now pytest changed")
        #expect(last.skipped >= 1)
        // 100 keeps the line first read (a process rewriting its own argv is not re-read),
        // and its age still comes from its start time.
        #expect(last.matched.first { $0.pid == 100 }?.commandLine == "python3 -m pytest tests/")
        #expect(abs((last.matched.first { $0.pid == 100 }?.ageSeconds ?? 0) - 7200) < 0.01)

        // A scan without memory reads everything, as the first did.
        let fresh = try scanner.scan(patterns: patterns, minimumAge: .seconds(3600), now: now)
        #expect(fresh.matched.map(\.pid).sorted() == [103, 104, 105])
    }

    /// A process that was too young when first seen has its command line read when it
    /// is old enough, from the start time first read (no `stat` read needed).
    @Test func aProcessGrowingOldIsReadWhenItIsOldEnough() throws {
        let root = try tree()
        let scanner = ProcessScanner(root: root.path, clockTicksPerSecond: 100)
        let patterns = try CommandPatterns(["pytest"])
        var seen = SeenProcesses()
        let young = try scanner.scan(patterns: patterns, minimumAge: .seconds(3600), now: now, seen: &seen)
        #expect(!young.matched.contains { $0.pid == 101 })
        let later = try scanner.scan(
            patterns: patterns, minimumAge: .seconds(3600), now: now.addingTimeInterval(3600), seen: &seen)
        #expect(later.matched.first { $0.pid == 101 }?.commandLine == "python3 -m pytest young")
    }

    /// `collect` carries what it saw from one scan to the next.
    @Test func collectRemembersWhatItSaw() async throws {
        let root = try tree()
        let scanner = ProcessScanner(root: root.path, clockTicksPerSecond: 100)
        let patterns = try CommandPatterns(["pytest"])
        let first = try await scanner.collect(patterns: patterns, minimumAge: .seconds(3600), now: now)
        _ = try root.write("100/cmdline", "sleep\0")
        let second = try await scanner.collect(patterns: patterns, minimumAge: .seconds(3600), now: now)
        #expect(second == first)
        let other = ProcessScanner(root: root.path, clockTicksPerSecond: 100)
        let fresh = try await other.collect(patterns: patterns, minimumAge: .seconds(3600), now: now)
        #expect(fresh.matched.map(\.pid).sorted() == [104, 105, 107])
    }

    @Test func aRootThatCannotBeReadFailsTheScanClearly() throws {
        let root = try TemporaryDirectory()
        #expect(throws: CollectorError.self) {
            try ProcessScanner(root: root.path + "/missing").scan(
                patterns: CommandPatterns(["x"]), minimumAge: .seconds(1), now: now)
        }
        _ = try root.write("stat", "cpu 1\n")
        #expect(throws: CollectorError("no btime line in stat")) {
            try ProcessScanner(root: root.path).scan(
                patterns: CommandPatterns(["x"]), minimumAge: .seconds(1), now: now)
        }
    }

    @Test func theRealProcessTableFindsAProcessThisTestStarted() async throws {
        let marker = "wd-scan-\(UUID().uuidString.prefix(8))"
        let directory = try TemporaryDirectory()
        let child = try MarkedProcess(marker, in: directory)
        defer { child.stop() }
        let scanner = ProcessScanner(root: "/proc")
        let patterns = try CommandPatterns([marker])
        var found: [MatchedProcess] = []
        for _ in 0..<100 where found.isEmpty {
            found = try await scanner.collect(patterns: patterns, minimumAge: .milliseconds(1), now: Date()).matched
            if found.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(found.map(\.pid) == [Int(child.pid)])
        #expect(found.first?.commandLine == "\(directory.path)/\(marker) 600")
        #expect(found.first?.name == String(marker.prefix(15)))
        #expect(try await scanner.collect(patterns: patterns, minimumAge: .seconds(3600), now: Date()).matched.isEmpty)
    }
}
