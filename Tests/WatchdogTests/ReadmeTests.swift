import Collectors
import Foundation
import Notify
import Testing

@testable import Watchdog

/// The README documents the code's own lists; these tests keep them equal.
@Suite struct ReadmeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func readme() throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    }

    static func section(_ name: String, in text: String) -> String? {
        let begin = "<!-- \(name):begin -->\n"
        let end = "\n<!-- \(name):end -->"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<stop.lowerBound])
    }

    @Test func theConfigurationTableIsGeneratedFromTheVariableList() throws {
        let table = Self.section("config-table", in: try Self.readme())
        #expect(
            table == ConfigVariable.markdownTable(),
            "README.md's config-table section must be exactly:\n\(ConfigVariable.markdownTable())")
    }

    @Test func everySignalFamilyIsInTheSignalsTable() throws {
        let table = try #require(Self.section("signals-table", in: try Self.readme()))
        for family in SignalFamily.allCases {
            #expect(table.contains("`\(family.rawValue)`"), "\(family.rawValue) missing from README")
        }
    }

    /// The README's limits are the code's: a changed constant fails here until the
    /// table says the same.
    @Test func theLimitsTableStatesTheCodesLimits() throws {
        let table = try #require(Self.section("limits-table", in: try Self.readme()))
        let mebibyte = 1024 * 1024
        let rows = [
            "| keys one source reports in one tick | \(SourceLimits.keysPerSource) |",
            "| series one rule matches | \(SourceLimits.seriesPerRule) |",
            "| agents in one orchestrator envelope | \(OrchestratorEnvelope.maximumAgents) |",
            "| queue states in one envelope | \(OrchestratorEnvelope.maximumCounts) |",
            "| orchestrator body | \(OrchestratorCollector.bodyLimit / mebibyte) MiB |",
            "| a source's memory between ticks | \(SourceLimits.memoryBytes / mebibyte) MiB |",
            "| pending messages per channel | \(ChannelOutbox<ContinuousClock>.capacity) and "
                + "\(ChannelOutbox<ContinuousClock>.byteCapacity / mebibyte) MiB |",
            "| state file read at start | \(StateFile.sizeLimit / mebibyte) MiB |",
            "| HTTP endpoint connections | \(HTTPEndpointService.keptConnections) kept, "
                + "\(HTTPEndpointService.maximumConnections) open |",
        ]
        for row in rows {
            #expect(table.contains(row), "README limits table lacks: \(row)")
        }
    }

    static let envExampleMarker =
        "# --- every watchdog variable, with its default (generated from the code) -------------\n\n"

    /// `.env.example` lists every variable with its default and a comment (SPEC §11), and
    /// is what our own `.env` parser accepts.
    @Test func envExampleListsEveryVariableFromTheCode() throws {
        let text = try String(
            contentsOf: Self.packageRoot.appendingPathComponent(".env.example"), encoding: .utf8)
        let marker = try #require(text.range(of: Self.envExampleMarker))
        let generated = String(text[marker.upperBound...])
        #expect(
            generated == ConfigVariable.envExampleBlock() + "\n",
            ".env.example must end with:\n\(ConfigVariable.envExampleBlock())")
        let settings = try DotEnv.parse(text)
        #expect(settings.map(\.key).contains("ORCHESTRATOR_IMAGE"))
        #expect(settings.allSatisfy { !$0.key.hasPrefix("WATCHDOG_") || ConfigVariable.knownNames.contains($0.key) })
    }
}
