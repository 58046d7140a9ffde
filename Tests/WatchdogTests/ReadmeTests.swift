import Foundation
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
}
