import Foundation
import TestSupport
import Testing

@testable import Collectors

@Suite struct BoundedFileTests {
    @Test func readsAFileWithinTheLimit() throws {
        let scratch = try TemporaryDirectory()
        let directory = scratch.path
        try "hello".write(toFile: directory + "/small", atomically: true, encoding: .utf8)
        #expect(try BoundedFile.readText(directory + "/small", limit: 5) == "hello")
    }

    @Test func refusesAFileLargerThanTheLimitInsteadOfTruncating() throws {
        let scratch = try TemporaryDirectory()
        let directory = scratch.path
        try String(repeating: "x", count: 100_000).write(
            toFile: directory + "/big", atomically: true, encoding: .utf8)
        #expect {
            try BoundedFile.read(directory + "/big", limit: 65_536)
        } throws: { error in
            "\(error)" == "\(directory)/big is larger than 65536 bytes"
        }
    }

    @Test func readsProcFilesThatReportSizeZero() throws {
        let text = try BoundedFile.readText("/proc/self/stat", limit: 4096)
        #expect(text.contains("("))
    }

    @Test func aDirectoryIsAnErrorNotACrash() {
        #expect(throws: CollectorError.self) {
            try BoundedFile.read("/", limit: 10)
        }
    }
}
