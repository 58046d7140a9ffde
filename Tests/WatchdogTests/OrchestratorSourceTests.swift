import Collectors
import Foundation
import Notify
import Synchronization
import TestSupport
import Testing

@testable import Watchdog

/// An orchestrator stand-in that serves scripted bodies, one per request; the last one
/// repeats.
final class OrchestratorStandIn: Sendable {
    let server: StubHTTPServer
    private let script: Mutex<[StubResponse]>

    private init(server: StubHTTPServer, script: [StubResponse]) {
        self.server = server
        self.script = Mutex(script)
    }

    static func start(_ script: [StubResponse] = []) async throws -> OrchestratorStandIn {
        let box = Mutex<OrchestratorStandIn?>(nil)
        let holder = Holder(box: box)
        let server = try await StubHTTPServer.start { _ in holder.next() }
        let standIn = OrchestratorStandIn(server: server, script: script)
        holder.set(standIn)
        return standIn
    }

    func serve(_ responses: [StubResponse]) {
        script.withLock { $0 = responses }
    }

    fileprivate func next() -> StubResponse {
        script.withLock { $0.count > 1 ? $0.removeFirst() : ($0.first ?? .text(503, "no script")) }
    }

    var url: String { server.baseURL + "/metrics" }

    private final class Holder: Sendable {
        let box: Mutex<OrchestratorStandIn?>
        init(box: consuming Mutex<OrchestratorStandIn?>) { self.box = box }
        func set(_ standIn: OrchestratorStandIn) { box.withLock { $0 = standIn } }
        func next() -> StubResponse { box.withLock { $0 }?.next() ?? .text(503, "starting") }
    }
}

func envelope(
    generatedAt: Date, failed: Int = 0, queued: Int = 0, agents: [(String, Int)] = [], version: Int = 1
) -> StubResponse {
    let agentsJSON = agents.map { #"{"run_id":"\#($0.0)","job_id":"job","pid":42,"cpu_ticks":\#($0.1),"extra":true}"# }
    return .json(
        200,
        #"{"schema_version":\#(version),"generated_at":\#(generatedAt.timeIntervalSince1970),"unknown":{"x":1},"queue":{"counts":{"queued":\#(queued),"running":1,"failed":\#(failed),"done":9}},"agents":[\#(agentsJSON.joined(separator: ","))]}"#
    )
}

@Suite struct OrchestratorSourceTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let settings = OrchestratorSource.Settings(
        downAfter: 3, staleAfter: .seconds(300), hungAfter: .seconds(900), backlog: 10)

    func engine(_ standIn: OrchestratorStandIn, state: EngineState = EngineState()) -> TickEngine<ManualClock> {
        let source = OrchestratorSource(url: standIn.url, timeout: .seconds(8), settings: settings, texts: Texts(.en))
        return TickEngine(
            sources: [source],
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 3,
                policies: .standard(cooldown: .seconds(3600), processCooldown: nil),
                texts: Texts(.en)), collectTimeout: .seconds(10), clock: ManualClock(), state: state)
    }

    /// Runs one tick at `now` and returns "key action" for each notification.
    func tick(_ engine: TickEngine<ManualClock>, at now: Date) async -> [String] {
        await engine.conclude(await engine.collect(now: now), now: now).notifications.map {
            "\($0.key) \($0.action.rawValue)"
        }
    }

    @Test(arguments: [
        (500, "text/plain", "boom", "status 500"),
        (200, "text/html", "<html>502 Bad Gateway</html>", "not a JSON envelope (content type text/html)"),
        (200, "application/json", "{not json", "the body is not valid JSON"),
        (200, "application/json", #"{"generated_at":1}"#, "no schema_version in the envelope"),
        (
            200, "application/json", #"{"schema_version":2,"generated_at":1}"#,
            "schema_version 2 is newer than the 1 this watchdog reads"
        ),
        (
            200, "application/json", #"{"schema_version":1}"#,
            "generated_at is missing or not a time (RFC 3339 or epoch seconds)"
        ),
        (
            200, "", #"{"schema_version":1,"generated_at":"2026-11-23T12:00:00Z","agents":[{"pid":1}]}"#,
            "agents[0] needs run_id and cpu_ticks"
        ),
    ])
    func everyBadAnswerIsAFailedFetchWithAPreciseError(status: Int, type: String, body: String, error: String) {
        #expect(
            OrchestratorCollector.interpret(status: status, contentType: type, body: Array(body.utf8)) == .failed(error)
        )
    }

    @Test func theEnvelopeParsesWithRFC3339OrEpochTimesAndIgnoresUnknownFields() throws {
        let rfc = try OrchestratorEnvelope.parse(
            Array(
                #"{"schema_version":1,"generated_at":"2026-11-23T12:00:00.250Z","queue":{"counts":{"failed":17}},"agents":[{"run_id":"run-42","cpu_ticks":918273,"started_at":"2026-11-23T11:02:10Z"}],"new_field":[]}"#
                    .utf8))
        #expect(rfc.generatedAt == Date(timeIntervalSince1970: 1_795_435_200.25))
        #expect(rfc.counts["failed"] == 17)
        #expect(rfc.agents.first?.runID == "run-42")
        let epoch = try OrchestratorEnvelope.parse(Array(#"{"schema_version":1,"generated_at":1795435200}"#.utf8))
        #expect(epoch.generatedAt == Date(timeIntervalSince1970: 1_795_435_200))
    }

    @Test func refusedAndOversizedFetchesFailClearly() async throws {
        let port = try freeLocalPort()
        let closed = OrchestratorCollector(url: "http://127.0.0.1:\(port)/metrics", timeout: .seconds(2))
        #expect(try await closed.collect() == .failed("connection refused by 127.0.0.1:\(port)"))
        let huge = try await StubHTTPServer.start { _ in
            .json(200, "{" + String(repeating: " ", count: 5 * 1024 * 1024) + "}")
        }
        defer { Task { await huge.stop() } }
        let big = OrchestratorCollector(url: huge.baseURL, timeout: .seconds(5))
        #expect(try await big.collect() == .failed("the body is larger than 4194304 bytes"))
    }

    @Test func downFiresExactlyOnTheNthFailureAndResolvesOnTheFirstSuccess() async throws {
        let standIn = try await OrchestratorStandIn.start([
            .text(500, "x"), .text(500, "x"), .text(500, "x"), .text(500, "x"), envelope(generatedAt: t0),
        ])
        defer { Task { await standIn.server.stop() } }
        let engine = engine(standIn)
        var log: [[String]] = []
        for step in 0..<5 { log.append(await tick(engine, at: t0.addingTimeInterval(Double(step) * 30))) }
        #expect(log == [[], [], ["orchestrator_down fire"], [], ["orchestrator_down resolve"]])
    }

    @Test func aStaleEnvelopeFiresAndAFreshOneResolves() async throws {
        let standIn = try await OrchestratorStandIn.start([
            envelope(generatedAt: t0.addingTimeInterval(-301)), envelope(generatedAt: t0.addingTimeInterval(30)),
        ])
        defer { Task { await standIn.server.stop() } }
        let engine = engine(standIn)
        #expect(await tick(engine, at: t0) == ["orchestrator_stale fire"])
        #expect(await tick(engine, at: t0.addingTimeInterval(30)) == ["orchestrator_stale resolve"])
    }

    @Test func aFrozenAgentHangsAfterTheWindowAndRecoversWhenItMovesOrDisappears() async throws {
        let standIn = try await OrchestratorStandIn.start()
        defer { Task { await standIn.server.stop() } }
        let engine = engine(standIn)
        func at(_ seconds: Double, _ agents: [(String, Int)]) async -> [String] {
            standIn.serve([envelope(generatedAt: t0.addingTimeInterval(seconds), agents: agents)])
            return await tick(engine, at: t0.addingTimeInterval(seconds))
        }
        #expect(await at(0, [("a", 100), ("b", 500)]) == [])
        #expect(await at(600, [("a", 100), ("b", 600)]) == [])
        #expect(await at(900, [("a", 100), ("b", 700)]) == ["agent_hung:a fire"])  // frozen 15 min
        #expect(await at(960, [("a", 101), ("b", 700)]) == ["agent_hung:a resolve"])  // moves again
        #expect(await at(1_860, [("b", 700)]) == ["agent_hung:b fire"])  // b frozen since 900 s
        #expect(await at(1_890, []) == ["agent_hung:b resolve"])  // the run is gone
    }

    @Test func failedJobsAreAnnouncedOncePerIncreaseAndARestartDoesNotReannounce() async throws {
        let standIn = try await OrchestratorStandIn.start([envelope(generatedAt: t0, failed: 17)])
        defer { Task { await standIn.server.stop() } }
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        let first = engine(standIn)
        #expect(await tick(first, at: t0) == [])  // the first fetch only sets the baseline
        standIn.serve([envelope(generatedAt: t0, failed: 19)])
        let increase = await first.conclude(await first.collect(now: t0), now: t0)
        #expect(increase.notifications.map(\.detail) == ["2 more failed (19 in total)"])
        let store = StateStore(path: path, engine: EngineState(), logger: LogRecorder().logger(), now: { Date() })
        await store.save(engine: await first.state)

        // Restarted: 19 is not announced again; growth while it was down is, with its delta.
        let restored = StateStore.loadState(path: path, logger: LogRecorder().logger(), now: t0)
        let second = engine(standIn, state: restored.engine)
        #expect(await tick(second, at: t0.addingTimeInterval(30)) == [])
        standIn.serve([envelope(generatedAt: t0, failed: 23)])
        let later = await second.conclude(await second.collect(now: t0), now: t0)
        #expect(later.notifications.map(\.detail) == ["4 more failed (23 in total)"])
        #expect(later.notifications.map(\.key) == ["job_failed"])
    }

    @Test func theQueueBacklogFiresAtTheThreshold() async throws {
        let standIn = try await OrchestratorStandIn.start([envelope(generatedAt: t0, queued: 10)])
        defer { Task { await standIn.server.stop() } }
        #expect(await tick(engine(standIn), at: t0) == ["queue_backlog fire"])
    }

    @Test func whileTheOrchestratorIsDownItsAgentsAreUnknownNotResolved() async throws {
        let standIn = try await OrchestratorStandIn.start([envelope(generatedAt: t0, agents: [("a", 1)])])
        defer { Task { await standIn.server.stop() } }
        let engine = engine(standIn)
        _ = await tick(engine, at: t0)
        standIn.serve([envelope(generatedAt: t0.addingTimeInterval(900), agents: [("a", 1)])])
        #expect(await tick(engine, at: t0.addingTimeInterval(900)) == ["agent_hung:a fire"])
        standIn.serve([.text(500, "down")])
        #expect(await tick(engine, at: t0.addingTimeInterval(930)) == [])
        #expect(await engine.state.alerts[SignalKey(.agentHung, "a")]?.state.firing == true)
    }
}

@Suite struct OrchestratorRulesTests {
    @Test func rulesAddressTheEnvelopesQueueCounts() async throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let settings = OrchestratorSource.Settings(
            downAfter: 3, staleAfter: .seconds(300), hungAfter: .seconds(900), backlog: nil,
            rules: try Rule.parseList("failures: queue.counts.failed >= 10; busy: queue.counts.running > 5"))
        let source = OrchestratorSource(
            url: "http://unused", timeout: .seconds(1), settings: settings, texts: Texts(.en))
        let envelope = try OrchestratorEnvelope.parse(
            Array(#"{"schema_version":1,"generated_at":1800000000,"queue":{"counts":{"failed":17,"running":2}}}"#.utf8))
        let signals = source.evaluate(.envelope(envelope), memory: nil, now: t0).signals.filter {
            $0.key.family == .rule
        }
        #expect(
            Dictionary(signals.map { ($0.key.description, $0.active) }) { $1 } == [
                "rule:failures": true, "rule:busy": false,
            ])
        #expect(
            signals.first { $0.key.description == "rule:failures" }?.detail == "queue.counts.failed = 17 (rule: >= 10)")
    }
}
