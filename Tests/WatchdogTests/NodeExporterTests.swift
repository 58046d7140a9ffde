import Collectors
import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// The Prometheus text parser and rules on the real output of Debian's
/// prometheus-node-exporter, started on loopback.
@Suite(.serialized, .enabled(if: NodeExporter.available || NodeExporter.required))
struct NodeExporterTests {
    @Test func theRealExpositionParsesAndRulesFireOnIt() async throws {
        let port = try freeLocalPort()
        let exporter = Process()
        exporter.executableURL = URL(fileURLWithPath: NodeExporter.binary)
        exporter.arguments = ["--web.listen-address=127.0.0.1:\(port)"]
        exporter.standardOutput = FileHandle.nullDevice
        exporter.standardError = FileHandle.nullDevice
        try exporter.run()
        defer { exporter.terminate() }
        let url = "http://127.0.0.1:\(port)/metrics"

        var reading = OrchestratorReading.failed("not fetched yet")
        for _ in 0..<100 {
            reading = try await OrchestratorCollector(url: url, timeout: .seconds(5)).collect()
            if case .metrics = reading { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard case .metrics(let samples, _) = reading else {
            Issue.record("node exporter answered \(reading)")
            return
        }
        #expect(samples.count > 200)
        let memory = try #require(samples.first { $0.name == "node_memory_MemTotal_bytes" })
        #expect(memory.value > 0)
        #expect(
            samples.contains { $0.name.hasSuffix("_bucket") && $0.label("le") == "+Inf" }
                || samples.contains { $0.label("quantile") != nil })

        let settings = OrchestratorSource.Settings(
            downAfter: 3, staleAfter: .seconds(300), hungAfter: .seconds(900), backlog: nil,
            rules: try Rule.parseList(
                #"memory: node_memory_MemTotal_bytes > 0 critical; cpus: node_cpu_seconds_total{mode="idle"} < 0"#))
        let source = OrchestratorSource(url: url, timeout: .seconds(5), settings: settings, texts: Texts(.en))
        let evaluation = source.evaluate(reading, memory: nil, now: Date())
        let rules = evaluation.signals.filter { $0.key.family == .rule }
        #expect(rules.contains { $0.key.description == "rule:memory" && $0.active && $0.severity == .critical })
        let cpuSeries = rules.filter { $0.key.entity?.hasPrefix("cpus{") == true }
        #expect(!cpuSeries.isEmpty)  // one key per idle-cpu series
        #expect(cpuSeries.allSatisfy { !$0.active })
        #expect(evaluation.signals.first { $0.key.family == .orchestratorDown }?.active == false)
    }
}

enum NodeExporter {
    static let binary = "/usr/bin/prometheus-node-exporter"
    static let available = FileManager.default.isExecutableFile(atPath: binary)
    static let required = ProcessInfo.processInfo.environment["WATCHDOG_TEST_REQUIRE_PEERS"] == "1"
}
