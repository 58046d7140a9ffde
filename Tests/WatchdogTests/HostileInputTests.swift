import Collectors
import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// Whether `operation` returns within `limit`: for peers that must fail at once, where
/// the old behaviour was to wait out a timeout ten times longer. Not a benchmark: the
/// margin is an order of magnitude.
func returns<T: Sendable>(within limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// What a hostile orchestrator, a hostile peer or a storm sends; SPEC §1: the watchdog
/// never becomes the problem.
@Suite struct HostileInputTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let texts = Texts(.en)

    func orchestrator(rules: [Rule] = []) -> OrchestratorSource {
        OrchestratorSource(
            url: "http://127.0.0.1:1/metrics", timeout: .seconds(1),
            settings: .init(
                downAfter: 3, staleAfter: .seconds(300), hungAfter: .seconds(900), backlog: 10, rules: rules),
            texts: texts)
    }

    func envelope(failed: Int, generatedAt: Date? = nil) -> OrchestratorReading {
        .envelope(OrchestratorEnvelope(generatedAt: generatedAt ?? t0, counts: ["failed": failed], agents: []))
    }

    /// `queue.counts.failed` from -1 to Int64.max (or Int64.min to Int64.max) trapped
    /// with an arithmetic overflow, and the saved baseline made every restart trap again.
    @Test(arguments: [(-1, Int.max), (Int.min, Int.max), (Int.min, 0), (0, Int.max)])
    func failedCountsAtTheExtremesSaturateInsteadOfTrapping(baseline: Int, failed: Int) throws {
        let source = orchestrator()
        let first = source.evaluate(envelope(failed: baseline), memory: nil, now: t0)
        let second = source.evaluate(envelope(failed: failed), memory: first.memory, now: t0.addingTimeInterval(30))
        let jobFailed = try #require(second.signals.first { $0.key == SignalKey(.jobFailed) })
        let (difference, overflow) = failed.subtractingReportingOverflow(baseline)
        #expect(jobFailed.detail.hasPrefix("\(overflow ? Int.max : difference) more failed"))
        #expect(second.memory?.failedBaseline == failed)
    }

    /// Docker's restart counts (and the ones remembered in the state file) are outside
    /// numbers too: their difference saturates.
    @Test(arguments: [(Int.min, Int.max, true), (Int.max, Int.min, false), (-5, 5, true)])
    func restartCountsAtTheExtremesSaturate(remembered: Int, now count: Int, loops: Bool) {
        let source = ContainerSource(
            collector: DockerCollector(
                client: DockerClient(socketPath: "/nonexistent.sock", timeout: .seconds(1)), names: ["db"],
                project: .none),
            grace: .seconds(120), restartLoop: .init(count: 3, window: .seconds(600)), texts: texts,
            clock: ContinuousClock())
        var track = ContainerSource.Memory.Track(restartCounts: [.init(at: t0, count: remembered)])
        let signals = source.evaluate(
            ContainerStatus(name: "db", id: "1", state: "running", restartCount: count), track: &track,
            now: t0.addingTimeInterval(60))
        #expect(signals.first { $0.key == SignalKey(.containerRestarts, "db") }?.active == loops)
    }

    @Test(arguments: [-1e300, 1e300, -9.3e18])
    func generatedAtFarInThePastOrFutureIsStaleOrFreshNotATrap(seconds: Double) throws {
        let reading = envelope(failed: 0, generatedAt: Date(timeIntervalSince1970: seconds))
        let evaluation = orchestrator().evaluate(reading, memory: nil, now: t0)
        let stale = try #require(evaluation.signals.first { $0.key == SignalKey(.orchestratorStale) })
        #expect(stale.active == (seconds < 0))
    }

    @Test func anEnvelopeOfAHundredThousandAgentsWatchesTheFirstAndSaysSo() throws {
        let agents = (0..<100_000).map { #"{"run_id":"run-\#($0)","cpu_ticks":\#($0)}"# }.joined(separator: ",")
        let body = #"{"schema_version":1,"generated_at":1800000000,"agents":[\#(agents)]}"#
        let parsed = try OrchestratorEnvelope.parse(Array(body.utf8))
        #expect(parsed.agents.count == OrchestratorEnvelope.maximumAgents)
        #expect(parsed.agentsListed == 100_000)
        #expect(parsed.agents.last?.runID == "run-\(OrchestratorEnvelope.maximumAgents - 1)")
        let evaluation = orchestrator().evaluate(.envelope(parsed), memory: nil, now: t0)
        #expect(evaluation.signals.count { $0.key.family == .agentHung } == OrchestratorEnvelope.maximumAgents)
        #expect(evaluation.overLimit == "the envelope lists 100000 agents; the first 500 are watched")
    }

    /// The agents beyond the limit are cut from the bytes before the decoder indexes
    /// them; strings holding brackets, commas and escaped quotes do not confuse the cut.
    @Test(arguments: [
        (#"{"agents":[1,2,3,4]}"#, 2, #"{"agents":[1,2]}"#, 4),
        (#"{"agents":[1,2]}"#, 2, #"{"agents":[1,2]}"#, 2),
        (#"{"agents":[]}"#, 2, #"{"agents":[]}"#, 0),
        (
            #"{"x":"agents","agents" : [ {"a":"],\"[,"} , [1,[2]], "s" ]}"#, 1,
            #"{"x":"agents","agents" : [ {"a":"],\"[,"} ]}"#, 3
        ),
        (#"{"q":{"agents":[1,2,3]},"agents":[4,5,6]}"#, 1, #"{"q":{"agents":[1,2,3]},"agents":[4]}"#, 3),
    ])
    func theAgentsArrayIsCutAfterTheLimit(body: String, keep: Int, expected: String, listed: Int) {
        let (cut, count) = OrchestratorEnvelope.cuttingAgents(Array(body.utf8), keeping: keep)
        #expect(String(decoding: cut, as: UTF8.self) == expected)
        #expect(count == listed)
    }

    @Test(arguments: [#"{"agents":[1,2"#, #"{"agents":"#, #"{"agents":{"a":1}}"#, "[", ""])
    func aBodyNotShapedAsExpectedIsLeftForTheDecoderToJudge(body: String) {
        let (cut, count) = OrchestratorEnvelope.cuttingAgents(Array(body.utf8), keeping: 1)
        #expect(cut == Array(body.utf8))
        #expect(count == nil)
    }

    @Test func fiftyThousandSeriesMatchingOneRuleWatchTheFirstHundred() throws {
        let rule = try #require(try Rule.parseList("deep: queue_depth > 5").first)
        let samples = (0..<50_000).map {
            PrometheusSample(name: "queue_depth", labels: [.init(name: "q", value: "q\($0)")], value: 10)
        }
        let evaluation = orchestrator(rules: [rule]).evaluate(.metrics(samples), memory: nil, now: t0)
        #expect(evaluation.signals.count { $0.key.family == .rule } == SourceLimits.seriesPerRule)
        #expect(evaluation.memory?.ruleSince.count == SourceLimits.seriesPerRule)
        #expect(evaluation.overLimit == "rule deep matches 50000 series; the first 100 are watched")
    }

    @Test func aSourceOverItsKeyLimitKeepsTrackedKeysFirstAndNeverFalselyResolvesTheRest() {
        let settings = DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: .seconds(1800), processCooldown: nil),
            texts: texts)
        let owner = KeyOwnership.families([.containerDown])
        func outcome(_ count: Int) -> SourceOutcome {
            SourceOutcome(
                source: "docker", ownership: owner, status: .ok,
                signals: (0..<count).map { signal(SignalKey(.containerDown, "c\(100_000 + $0)"), active: true) })
        }
        // 10 keys fire; then 2,000 are reported: the 10 tracked stay, 490 more are watched.
        let first = evaluateTick([outcome(10)], state: EngineState(), now: t0, settings: settings)
        #expect(first.notifications.count == 10)
        let second = evaluateTick(
            [outcome(2_000)], state: first.state, now: t0.addingTimeInterval(30), settings: settings)
        #expect(second.state.alerts.count == SourceLimits.keysPerSource)
        #expect(second.notifications.allSatisfy { $0.action == .fire })
        #expect(second.notifications.count == SourceLimits.keysPerSource - 10)
        #expect(second.overLimit["docker"] == "2000 keys reported; 500 are watched, 1500 left out")
        // Back under the limit: nothing fires or resolves that should not.
        let third = evaluateTick(
            [outcome(2_000)], state: second.state, now: t0.addingTimeInterval(60), settings: settings)
        #expect(third.notifications.isEmpty)
    }

    /// When the Docker daemon came back, a container that died meanwhile reached the
    /// chat a second before `docker_unreachable`'s resolve: the cause's end goes first.
    @Test func theResolveOfTheCauseGoesBeforeTheFiresItUncovered() {
        let settings = DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: .seconds(1800), processCooldown: nil),
            texts: texts)
        let owner = KeyOwnership.families([.containerDown, .dockerUnreachable])
        let unreachable = SignalKey(.dockerUnreachable)
        let db = SignalKey(.containerDown, "db")
        let down = evaluateTick(
            [
                SourceOutcome(
                    source: "docker", ownership: owner, status: .ok, signals: [signal(unreachable, active: true)])
            ],
            state: EngineState(), now: t0, settings: settings)
        let back = evaluateTick(
            [
                SourceOutcome(
                    source: "docker", ownership: owner, status: .ok,
                    signals: [signal(unreachable, active: false), signal(db, active: true)])
            ], state: down.state, now: t0.addingTimeInterval(30), settings: settings)
        #expect(
            back.notifications.map { "\($0.key) \($0.action)" } == [
                "docker_unreachable resolve", "container_down:db fire",
            ])
    }

    /// A refused connection or a failed name lookup waited the whole HTTP timeout
    /// (AsyncHTTPClient retried connecting until the deadline): 5.00 s each.
    @Test func aRefusedOrUnknownOrchestratorFailsAtOnceNotAfterTheTimeout() async throws {
        let port = try freeLocalPort()
        let refused = OrchestratorCollector(url: "http://127.0.0.1:\(port)/metrics", timeout: .seconds(600))
        #expect(
            await returns(within: .seconds(60)) { try? await refused.collect() }
                == .failed("connection refused by 127.0.0.1:\(port)"))
        let unknown = OrchestratorCollector(url: "http://no-such-host.invalid:8080/metrics", timeout: .seconds(600))
        #expect(
            await returns(within: .seconds(60)) { try? await unknown.collect() }
                == .failed("cannot resolve host no-such-host.invalid"))
    }

    @Test func aRefusedHTTPDependencyFailsAtOnce() async throws {
        let port = try freeLocalPort()
        let target = try DependencyTarget.parse(name: "api", url: "http://127.0.0.1:\(port)/health")
        let collector = DependencyCollector(targets: [target], timeout: .seconds(600))
        let results = await returns(within: .seconds(60)) { (try? await collector.collect()) ?? [] }
        #expect(results?.first?.error == "connection refused by 127.0.0.1:\(port)")
    }
}

/// The state file as hostile input: too large, or one the process dies on at start.
@Suite struct HostileStateFileTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aStateFileOverTheLimitIsSetAsideWithoutBeingRead() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        // Sparse: one byte over the limit without writing 24 MiB.
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, off_t(StateFile.sizeLimit + 1)) == 0)
        let recorder = LogRecorder()
        let loaded = StateStore.loadState(path: path, logger: recorder.logger(), now: now)
        #expect(loaded == .empty)
        #expect(recorder.text.contains("larger than \(StateFile.sizeLimit) bytes"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// A state file that parses but kills every start (a trap while applying it) is set
    /// aside after three starts in a row that never saved a tick: no crash loop.
    @Test func aStateFileThatEveryStartDiesOnIsSetAsideOnTheFourth() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        let store = StateStore(path: path, engine: EngineState(), logger: LogRecorder().logger(), now: { Date() })
        await store.save(engine: EngineState(collectors: ["docker": CollectorHealth(consecutiveFailures: 1)]))
        for start in 1...StateStore.unfinishedStartsBeforeSettingAside {
            let loaded = StateStore.loadState(path: path, logger: LogRecorder().logger(), now: now)
            #expect(loaded.engine.collectors["docker"]?.consecutiveFailures == 1, "start \(start)")
            // ... and the process dies before its first tick is saved.
        }
        let recorder = LogRecorder()
        let loaded = StateStore.loadState(path: path, logger: recorder.logger(), now: now)
        #expect(loaded == .empty)
        #expect(recorder.text.contains("it does not apply: the last 3 starts on it ended before their first tick"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).contains { $0.contains(".corrupt-") })
    }

    @Test func aStartThatSavesItsFirstTickClearsTheRecord() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        for _ in 0..<5 {
            let loaded = StateStore.loadState(path: path, logger: LogRecorder().logger(), now: now)
            let store = StateStore(path: path, engine: loaded.engine, logger: LogRecorder().logger(), now: { Date() })
            await store.save(engine: EngineState(collectors: ["docker": CollectorHealth(consecutiveFailures: 1)]))
            await store.confirmStart()
            #expect(!FileManager.default.fileExists(atPath: path + ".starting"))
        }
        #expect(StateStore.loadState(path: path, logger: LogRecorder().logger(), now: now) != .empty)
    }
}
