import Collectors
import Foundation
import TestSupport
import Testing

@testable import Watchdog

/// SPEC §12, scale is not failure, for the orchestrator through the built binary: an
/// envelope of 100,000 agents with every field (about 10 MiB) was over the 4 MiB body
/// bound and read as a failed fetch, then `orchestrator_down`. Now the agents past the
/// first 500 are dropped as the body arrives, the first 500 are watched, and one warning
/// says so. A metrics text of rule series over 4 MiB keeps its first lines the same way.
@Suite(.serialized) struct OrchestratorScaleTests {
    @Test func anEnvelopeOfAHundredThousandAgentsIsWatchedNeverDown() async throws {
        let agents = (0..<100_000).map {
            #"{"run_id":"run-\#($0)","job_id":"job-\#($0 % 97)","pid":\#(10_000 + $0),"cpu_ticks":\#(918_273 + $0),"started_at":"2026-11-23T11:02:10Z"}"#
        }
        let body =
            #"{"schema_version":1,"generated_at":\#(Int(Date().timeIntervalSince1970)),"queue":{"counts":{"queued":3,"failed":0}},"agents":["#
            + agents.joined(separator: ",") + "]}"
        #expect(body.utf8.count > 2 * OrchestratorCollector.bodyLimit)
        let server = try await StubHTTPServer.start { _ in .json(200, body) }
        defer { Task { await server.stop() } }
        let result = try await WatchdogProcess.run(
            ["once", "--json"],
            environment: [
                "WATCHDOG_ORCH_METRICS_URL": server.baseURL + "/metrics", "WATCHDOG_MEM_PCT": "100",
                "WATCHDOG_DISK_PCT": "100", "WATCHDOG_HTTP_TIMEOUT": "30s", "WATCHDOG_COLLECT_TIMEOUT": "60s",
            ], timeout: 90)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let collectors = try #require(report["collectors"] as? [[String: Any]])
        let orchestrator = try #require(collectors.first { $0["name"] as? String == "orchestrator" })
        let reading = try #require(orchestrator["reading"] as? [String: Any])
        let envelope = try #require(reading["envelope"] as? [String: Any], "\(reading)")
        #expect(envelope["agents_listed"] as? Int == 100_000)
        #expect((envelope["agents"] as? [Any])?.count == OrchestratorEnvelope.maximumAgents)
        let signals = try #require(report["signals"] as? [[String: Any]])
        #expect(signals.first { $0["key"] as? String == "orchestrator_down" }?["active"] as? Bool == false)
        #expect(result.stderr.contains("the envelope lists 100000 agents; the first 500 are watched"))
    }

    @Test func aMetricsTextOverTheBoundKeepsItsFirstRuleSeriesNeverDown() async throws {
        let lines = (0..<150_000).map { #"queue_depth{queue="queue-number-\#($0)",shard="s\#($0 % 16)"} 1"# }
        let body = "# TYPE queue_depth gauge\n" + lines.joined(separator: "\n") + "\nunrelated_metric 1\n"
        #expect(body.utf8.count > OrchestratorCollector.bodyLimit)
        let server = try await StubHTTPServer.start { _ in .text(200, body) }
        defer { Task { await server.stop() } }
        let result = try await WatchdogProcess.run(
            ["once", "--json"],
            environment: [
                "WATCHDOG_ORCH_METRICS_URL": server.baseURL + "/metrics", "WATCHDOG_MEM_PCT": "100",
                "WATCHDOG_DISK_PCT": "100", "WATCHDOG_RULES": "deep: queue_depth > 5",
            ], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let collectors = try #require(report["collectors"] as? [[String: Any]])
        let orchestrator = try #require(collectors.first { $0["name"] as? String == "orchestrator" })
        #expect(orchestrator["status"] as? String == "ok")
        let samples = try #require((orchestrator["reading"] as? [String: Any])?["samples"] as? Int)
        #expect(samples > 50_000 && samples < 150_000)
        let signals = try #require(report["signals"] as? [[String: Any]])
        #expect(signals.first { $0["key"] as? String == "orchestrator_down" }?["active"] as? Bool == false)
        #expect(result.stderr.contains("the first are read, the rest left out"))
    }
}
