import Foundation
import FuzzTargets
import Testing

/// Replays every input kept in `FuzzInputs/<target>`: the seeds `scripts/fuzz.sh` starts
/// from, and every input that once crashed or hung a parser (kept after the fix). Each
/// must return, so a regression fails here, in the ordinary test run.
@Suite struct FuzzInputTests {
    static let inputs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("FuzzInputs")

    @Test func everyTargetHasADirectoryOfInputsAndEveryDirectoryATarget() throws {
        let directories = try FileManager.default.contentsOfDirectory(atPath: Self.inputs.path).sorted()
        #expect(directories == FuzzTarget.allCases.map(\.rawValue).sorted())
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyKeptInputReturns(target: FuzzTarget) throws {
        let directory = Self.inputs.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.isEmpty)
        for name in names.sorted() {
            let bytes = try Array(Data(contentsOf: directory.appendingPathComponent(name)))
            target.run(bytes)
            // Every prefix too: truncation is the commonest way outside input goes wrong.
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 64)) {
                target.run(Array(bytes[..<length]))
            }
        }
    }
}
