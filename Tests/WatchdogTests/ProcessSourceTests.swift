import Collectors
import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// `proc_blocking` on the real process table, with processes this test starts.
@Suite(.serialized) struct ProcessSourceTests {
    /// The real time when the test began: the scan ages the real processes against the
    /// tick's `now`, so a tick at t0 + 60 s sees a process started at t0 a minute old
    /// without the test waiting for it.
    let t0 = Date()

    func engine(marker: String, minimumAge: Duration, cooldown: Duration?) throws -> TickEngine<ManualClock> {
        let settings = ProcessSettings(patterns: try CommandPatterns([marker]), minimumAge: minimumAge)
        return TickEngine(
            sources: [ProcessSource(procRoot: "/proc", settings: settings, texts: Texts(.en))],
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 3,
                policies: .standard(cooldown: .seconds(5), processCooldown: cooldown), texts: Texts(.en)),
            collectTimeout: .seconds(10), clock: ManualClock())
    }

    /// One tick at t0 + `seconds`, the scan's ages included: its notifications.
    func tick(_ engine: TickEngine<ManualClock>, at seconds: Double) async -> [AlertNotification] {
        let now = t0.addingTimeInterval(seconds)
        return await engine.conclude(await engine.collect(now: now), now: now).notifications
    }

    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    func spawn(_ marker: String) throws -> MarkedProcess {
        try MarkedProcess(marker, in: directory)
    }

    @Test func anOldMatchingProcessFiresOnceRepeatsAfterItsCooldownAndResolvesWhenKilled() async throws {
        let marker = "wd-pytest-\(UUID().uuidString.prefix(8))"
        let child = try spawn(marker)
        defer { child.stop() }
        // Younger than the limit: nothing. (An hour, so a slow machine cannot age it.)
        let young = try engine(marker: marker, minimumAge: .seconds(3600), cooldown: .seconds(1800))
        #expect(await tick(young, at: 0).isEmpty)

        let engine = try engine(marker: marker, minimumAge: .milliseconds(1), cooldown: .seconds(1800))
        let fired = await tick(engine, at: 1)
        let key = "proc_blocking:\(child.pid)@"
        #expect(fired.map(\.action) == [.fire])
        #expect(fired.first?.key.hasPrefix(key) == true)
        #expect(fired.first?.detail.hasPrefix("pid \(child.pid) running for ") == true)
        #expect(fired.first?.detail.hasSuffix(": \(child.executable) 600") == true)
        #expect(fired.first?.title == "Process \(marker.prefix(15)) (\(child.pid)) runs too long")

        // The general cooldown (5 s) does not apply; WATCHDOG_PROC_COOLDOWN_S does.
        #expect(await tick(engine, at: 60).isEmpty)
        #expect(await tick(engine, at: 1800).isEmpty)
        #expect(await tick(engine, at: 1801).map(\.action) == [.repeat])

        child.stop()
        let resolved = await tick(engine, at: 1802)
        #expect(resolved.map(\.action) == [.resolve])
        #expect(resolved.first?.key.hasPrefix(key) == true)
    }

    @Test func aCooldownOfZeroNeverRepeats() async throws {
        let marker = "wd-pytest-\(UUID().uuidString.prefix(8))"
        let child = try spawn(marker)
        defer { child.stop() }
        let engine = try engine(marker: marker, minimumAge: .milliseconds(1), cooldown: nil)
        #expect(await tick(engine, at: 1).map(\.action) == [.fire])
        #expect(await tick(engine, at: 100_001).isEmpty)
    }

    @Test func commandLinesAreShownEscapedAndCut() {
        #expect(ProcessSource.shown("pytest -k 'a b'") == "pytest -k 'a b'")
        #expect(ProcessSource.shown("evil\u{1B}[31mred\u{7}\nnext") == "evil\\u{1b}[31mred\\u{7}\\u{a}next")
        let long = ProcessSource.shown(String(repeating: "я", count: 500))
        #expect(long == String(repeating: "я", count: 200) + "…")
        #expect(ProcessSource.shown("<b>pytest</b>") == "<b>pytest</b>")
    }

    /// A scan over its limit says so once, and the keys of processes it did not report
    /// are not taken for gone: a firing one stays firing (nothing is falsely resolved).
    @Test func aScanOverItsLimitWarnsAndResolvesNothingItDidNotReport() throws {
        let source = ProcessSource(
            procRoot: "/nonexistent",
            settings: ProcessSettings(patterns: try CommandPatterns(["pytest"]), minimumAge: .seconds(60)),
            texts: Texts(.en))
        var scan = ProcessScan(
            scanned: 1_001,
            matched: [
                MatchedProcess(pid: 7, name: "python3", startTicks: 1, ageSeconds: 7200, commandLine: "pytest")
            ])
        scan.leftOut = 1
        let evaluation = source.evaluate(scan, memory: nil, now: Date())
        #expect(evaluation.overLimit?.contains("the first 1000 are watched") == true)
        #expect(evaluation.unknown == source.ownership)
        let firing = SignalKey(.procBlocking, "9@2")
        let state = EngineState(alerts: [
            firing: TrackedAlert(
                state: AlertState(firing: true, since: Date(), lastNotified: Date()),
                signal: signal(firing, active: true), announced: true)
        ])
        let outcome = SourceOutcome(
            source: source.name, ownership: source.ownership, status: .ok, signals: evaluation.signals,
            unknown: evaluation.unknown, overLimit: evaluation.overLimit)
        let next = evaluateTick(
            [outcome], state: state, now: Date(),
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: nil, processCooldown: nil),
                texts: Texts(.en)))
        #expect(next.state.alerts[firing]?.state.firing == true)
        #expect(!next.notifications.contains { $0.key == firing.description })
        // Within the limit again, a process that is gone resolves.
        let within = source.evaluate(ProcessScan(scanned: 1), memory: nil, now: Date())
        #expect(within.unknown == nil && within.overLimit == nil)
    }

    @Test func aReusedPidIsANewKey() {
        let source = ProcessSource(
            procRoot: "/proc",
            settings: ProcessSettings(patterns: try! CommandPatterns(["x"]), minimumAge: .seconds(1)),
            texts: Texts(.en))
        func key(start: UInt64) -> String? {
            source.signals(
                from: ProcessScan(
                    scanned: 1,
                    matched: [.init(pid: 4242, name: "x", startTicks: start, ageSeconds: 9, commandLine: "x")]),
                now: t0
            ).first?.key.description
        }
        #expect(key(start: 1733) == "proc_blocking:4242@1733")
        #expect(key(start: 9000) == "proc_blocking:4242@9000")
    }
}

/// With the scan off, the process table is not read at all.
@Suite struct ProcessScanSwitchTests {
    /// A proc root that holds a meminfo (for the memory check) but no `stat`: a scan of it
    /// fails at once, so its absence proves the scanner never ran.
    func root() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory()
        _ = try root.write("meminfo", "MemTotal: 1000 kB\nMemAvailable: 900 kB\n")
        return root
    }

    @Test func aDisabledScanDoesNotTouchTheProcRoot() async throws {
        let root = try root()
        let off = try await WatchdogProcess.run(
            ["once", "--json", "--dry-run"],
            environment: ["WATCHDOG_PROC_ROOT": root.path, "WATCHDOG_PROC_PATTERNS": "pytest"])
        #expect(off.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(off.stdout.utf8)) as? [String: Any])
        let collectors = try #require(report["collectors"] as? [[String: Any]])
        #expect(collectors.map { $0["name"] as? String } == ["memory", "disk:/"])
        #expect(collectors.allSatisfy { $0["status"] as? String == "ok" })

        let on = try await WatchdogProcess.run(
            ["once", "--json", "--dry-run"],
            environment: ["WATCHDOG_PROC_ROOT": root.path, "WATCHDOG_PROC_ENABLED": "true"])
        #expect(on.stdout.contains(#""name" : "processes""#))
        #expect(on.stdout.contains("cannot open \(root.path)/stat"))
    }
}
