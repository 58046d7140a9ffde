import Collectors
import Foundation
import Testing

/// The incremental reader of JSON arrays (SPEC §12: a list of any length is read one
/// element at a time) and the container list's choice within its limit.
@Suite struct JSONArrayReaderTests {
    /// Feeds `text` in pieces of `size` bytes; returns the elements as text ("∅" for one
    /// over the bound), or the error.
    static func elements(_ text: String, size: Int, bound: Int = 1_000) -> Result<[String], JSONArrayReader.Malformed> {
        var reader = JSONArrayReader(maximumElementBytes: bound)
        var found: [String] = []
        let bytes = Array(text.utf8)
        do throws(JSONArrayReader.FeedError<Never>) {
            for start in stride(from: 0, to: bytes.count, by: size) {
                try reader.feed(bytes[start..<min(bytes.count, start + size)]) { element in
                    found.append(element.map { String(decoding: $0, as: UTF8.self) } ?? "∅")
                }
            }
        } catch {
            guard case .malformed(let malformed) = error else { return .success(found) }
            return .failure(malformed)
        }
        do {
            try reader.finish()
        } catch {
            return .failure(error)
        }
        return .success(found)
    }

    static let tricky = #"""
         [ {"a":"x]}\",{[","b":[1,{"c":"\\"}]} , "s,]\"" ,12.5e3,true , null,[], {} ,[[1],[2]] ]  
        """#
    static let trickyElements = [
        #"{"a":"x]}\",{[","b":[1,{"c":"\\"}]}"#, #""s,]\"""#, "12.5e3", "true", "null", "[]", "{}", "[[1],[2]]",
    ]

    @Test(arguments: [1, 2, 3, 7, 64, 4_096])
    func elementsAreSplitWhateverTheChunksAndStringsHideBrackets(size: Int) throws {
        #expect(try Self.elements(Self.tricky, size: size).get() == Self.trickyElements)
    }

    @Test func anElementOverTheBoundIsSkippedNotHeldAndTheRestRead() throws {
        let long = "{\"x\":\"" + String(repeating: "y", count: 200) + "\"}"
        #expect(try Self.elements("[1,\(long),2]", size: 16, bound: 100).get() == ["1", "∅", "2"])
        #expect(try Self.elements("[\(long)]", size: 5, bound: 100).get() == ["∅"])
        #expect(try Self.elements("[]", size: 1).get() == [])
    }

    @Test(arguments: [
        ("{\"a\":1}", "not a JSON array"),
        ("[1,,2]", "missing"),
        ("[,]", "missing"),
        ("[1 2]", "commas"),
        ("[1]x", "after the end"),
        ("[{\"a\":1}", "closing bracket"),
        ("[{\"a\":\"open", "closing bracket"),
        ("[1,", "closing bracket"),
        ("", "closing bracket"),
        ("[}]", "unbalanced"),
    ])
    func malformedArraysAreRefusedWithTheReason(text: String, reason: String) {
        switch Self.elements(text, size: 3) {
        case .success(let found): Issue.record("accepted \(text) as \(found)")
        case .failure(let error): #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func deepNestingIsRefusedNotCounted() {
        let deep = "[" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "]"
        guard case .failure(let error) = Self.elements(deep, size: 100, bound: 10_000) else {
            Issue.record("accepted 600 levels")
            return
        }
        #expect(error.description.contains("nests too deeply"))
    }

    // MARK: the container list within its limit

    static func entry(_ name: String, project: String? = "big") -> String {
        let labels =
            project.map { #"{"com.docker.compose.project":"\#($0)","com.docker.compose.service":"s"}"# } ?? "{}"
        return #"{"Id":"id-\#(name)","Names":["/\#(name)"],"State":"running","Status":"Up","Labels":\#(labels)}"#
    }

    static func list(_ names: [String], project: String? = "big") -> [UInt8] {
        Array(("[" + names.map { entry($0, project: project) }.joined(separator: ",") + "]").utf8)
    }

    static func choose(
        _ body: [UInt8], names: Set<String> = [], project: String? = "big", preferred: Set<String> = [], limit: Int,
        chunk: Int = 97
    ) throws -> ContainerList.Selection.Chosen {
        var selection = ContainerList.Selection(names: names, project: project, preferred: preferred, limit: limit)
        for start in stride(from: 0, to: body.count, by: chunk) {
            try selection.read(body[start..<min(body.count, start + chunk)])
        }
        return try selection.finish()
    }

    @Test func aProjectOverTheLimitKeepsTheFirstInListOrderAndCountsTheRest() throws {
        let names = (1...50).reversed().map { "w\($0)" }
        let chosen = try Self.choose(Self.list(names), limit: 10)
        #expect(chosen.containers.map(\.name) == Array(names.prefix(10)))
        #expect(chosen.leftOut == 40 && chosen.oversized == 0)
        let all = try Self.choose(Self.list(names), limit: 50)
        #expect(all.containers.count == 50 && all.leftOut == 0)
    }

    @Test func containersAlreadyWatchedAreKeptBeforeNewOnesSoNoneIsPushedOut() throws {
        // Two new containers listed first (newest first): the ten watched before stay.
        let before = (1...10).map { "w\($0)" }
        let chosen = try Self.choose(
            Self.list(["new1", "new2"] + before + ["w11", "w12"]), preferred: Set(before), limit: 10)
        #expect(Set(chosen.containers.map(\.name)) == Set(before))
        #expect(chosen.leftOut == 4)
    }

    @Test func namedContainersAreAlwaysWatchedAndCountTowardTheLimitAndOtherProjectsNever() throws {
        // Both names and a project: the list is unfiltered and chosen here.
        let body = Array(
            ("[" + (1...5).map { Self.entry("p\($0)", project: "other") }.joined(separator: ",") + ","
                + ["a", "b", "c"].map { Self.entry($0) }.joined(separator: ",") + "]").utf8)
        let chosen = try Self.choose(body, names: ["p5"], limit: 2)
        #expect(chosen.containers.map(\.name) == ["p5", "a"])
        #expect(chosen.leftOut == 2)
        let onlyNamed = try Self.choose(body, names: ["p5"], limit: 1)
        #expect(onlyNamed.containers.map(\.name) == ["p5"] && onlyNamed.leftOut == 3)
        #expect(try Self.choose(body, project: "nosuch", limit: 10).containers.isEmpty)
    }

    @Test func anEntryTooLargeToReadIsSkippedAndCounted() throws {
        let huge =
            #"{"Id":"x","Names":["/huge"],"Labels":{"pad":""#
            + String(repeating: "z", count: ContainerList.maximumEntryBytes) + #""}}"#
        let body = Array(("[" + Self.entry("a") + "," + huge + "," + Self.entry("b") + "]").utf8)
        let chosen = try Self.choose(body, limit: 10, chunk: 4_096)
        #expect(chosen.containers.map(\.name) == ["a", "b"] && chosen.oversized == 1)
    }

    @Test func aListCutShortOrNotAListIsAnError() {
        #expect(throws: CollectorError.self) { try Self.choose(Array(Self.list(["a", "b"]).dropLast()), limit: 10) }
        #expect(throws: CollectorError.self) { try Self.choose(Array("{}".utf8), limit: 10) }
        #expect(throws: CollectorError.self) { try Self.choose(Array("[1]".utf8), limit: 10) }
    }
}
