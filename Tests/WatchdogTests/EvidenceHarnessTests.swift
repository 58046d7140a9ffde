import Foundation
import TestSupport
import Testing

/// The evidence harness (scripts/harness) is a program with tests of its own: its
/// oracle judged on synthetic fault and message lists, its Telegram stand-in held to
/// the shared conformance table. They run here, so the test command runs them.
@Suite struct EvidenceHarnessTests {
    static let scripts = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts").path

    @Test func theHarnessOwnTestsPass() async throws {
        let result = try await RealDocker.shell(
            ["/usr/bin/env", "python3", "-m", "unittest", "discover", "-s", "harness/tests", "-t", "."],
            directory: Self.scripts)
        #expect(result.status == 0, "python3 -m unittest in scripts/harness/tests:\n\(result.stderr)")
        // The run is not empty: unittest says how many tests it ran.
        let ran = result.stderr.split(separator: "\n").first { $0.hasPrefix("Ran ") }
        #expect(ran.map { !$0.hasPrefix("Ran 0 ") } == true, "\(result.stderr)")
    }
}
