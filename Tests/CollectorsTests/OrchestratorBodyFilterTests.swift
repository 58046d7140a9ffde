import Collectors
import Foundation
import Testing

/// What is kept of the orchestrator's answer as it arrives (SPEC §12: scale is not
/// failure): an envelope less its agents past the limit, a text less the series no rule
/// reads, both within the bytes kept.
@Suite struct OrchestratorBodyFilterTests {
    static func agent(_ index: Int) -> String {
        #"{"run_id":"run-\#(index)","job_id":"job-\#(index % 7)","pid":\#(3000 + index),"cpu_ticks":918273,"started_at":"2026-11-23T11:02:10Z","labels":{"queue":"q[\#(index)]","note":"a \"quoted\" }, agents"}}"#
    }

    static func envelope(agents count: Int, before: String = "", after: String = "") -> String {
        #"{"schema_version":1,"generated_at":"2026-11-23T12:00:00Z",\#(before)"queue":{"counts":{"queued":3,"failed":17}},"agents":[ \#((0..<count).map(agent).joined(separator: " ,\n"))],\#(after)"note":"agents"}"#
    }

    static func filtered(
        _ text: String, contentType: String = "application/json", limit: Int = 4 * 1024 * 1024, chunk: Int = 113,
        names: Set<String>? = nil
    ) throws -> OrchestratorBodyFilter {
        var filter = OrchestratorBodyFilter(contentType: contentType, limit: limit, metricNames: names)
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            try bytes[start..<min(bytes.count, start + chunk)].withUnsafeBytes { try filter.feed($0) }
        }
        filter.finish()
        return filter
    }

    @Test(arguments: [1, 7, 113, 65_536])
    func anEnvelopeKeepsItsFirstAgentsAndCountsTheRestWhateverTheChunks(chunk: Int) throws {
        let filter = try Self.filtered(
            Self.envelope(agents: 1_200, before: #""nested":{"agents":[1,2,3]},"#), chunk: chunk)
        #expect(filter.agentsListed == 1_200)
        let envelope = try OrchestratorEnvelope.parse(filter.kept, agentsListed: filter.agentsListed)
        #expect(envelope.agents.count == OrchestratorEnvelope.maximumAgents)
        #expect(envelope.agents.last?.runID == "run-\(OrchestratorEnvelope.maximumAgents - 1)")
        #expect(envelope.agentsListed == 1_200 && envelope.counts["failed"] == 17)
    }

    @Test func anEnvelopeWithinTheLimitIsKeptByteForByte() throws {
        let text = Self.envelope(agents: 20)
        let filter = try Self.filtered(text)
        #expect(filter.kept == Array(text.utf8) && filter.agentsListed == 20)
        #expect(try Self.filtered(#"{"schema_version":1,"agents":[]}"#).agentsListed == 0)
    }

    @Test func anEnvelopeOfAHundredThousandAgentsIsKeptSmall() throws {
        let text = Self.envelope(agents: 100_000)
        #expect(text.utf8.count > 15 * 1024 * 1024)
        let filter = try Self.filtered(text, chunk: 16_384)
        #expect(filter.kept.count < 200 * 1024)
        #expect(filter.agentsListed == 100_000)
    }

    @Test func anEnvelopeOverTheLimitForAnotherReasonIsAnError() {
        let padded = #"{"schema_version":1,"padding":""# + String(repeating: "x", count: 5_000) + #""}"#
        #expect(throws: OrchestratorBodyFilter.TooLarge.self) { try Self.filtered(padded, limit: 4_096) }
    }

    @Test func aTextKeepsTheRulesSeriesWithinTheLimitAndCountsTheRest() throws {
        let lines =
            ["# HELP queue_depth depth", "# TYPE queue_depth gauge"]
            + (0..<1_000).map { #"queue_depth{queue="q\#($0)"} \#($0)"# } + ["other_metric 1", "  queue_depth 7  "]
        let text = lines.joined(separator: "\n")
        let all = try Self.filtered(text, contentType: "text/plain; version=0.0.4", chunk: 50)
        #expect(try PrometheusText.parse(String(decoding: all.kept, as: UTF8.self)).count == 1_002)
        let wanted = try Self.filtered(text, contentType: "text/plain", chunk: 50, names: ["queue_depth"])
        let samples = try PrometheusText.parse(String(decoding: wanted.kept, as: UTF8.self))
        #expect(samples.count == 1_001 && !samples.contains { $0.name == "other_metric" })
        let bounded = try Self.filtered(
            text, contentType: "text/plain", limit: 1_000, chunk: 50, names: ["queue_depth"])
        #expect(bounded.kept.count <= 1_000 && bounded.linesLeftOut > 900)
        #expect(try PrometheusText.parse(String(decoding: bounded.kept, as: UTF8.self)).first?.value == 0)
    }
}
