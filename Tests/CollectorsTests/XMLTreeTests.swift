import Foundation
import Testing

@testable import Collectors

@Suite struct XMLTreeTests {
    @Test func readsElementsTextAndDropsNamespacePrefixes() throws {
        let root = try XMLTree.parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <ec2:Response xmlns:ec2="http://ec2.amazonaws.com/doc/2016-11-15/" a='1'>
              <ec2:items><item><name>one</name></item><item><name>two</name></item><empty/></ec2:items>
            </ec2:Response>
            """)
        #expect(root.name == "Response")
        #expect(root.list("items").map { $0.value("name") } == ["one", "two"])
        #expect(root.child("items")?.child("empty") == XMLTree.Element(name: "empty"))
        #expect(root.first(named: "name")?.text == "one")
        #expect(root.value("items", "missing") == nil)
    }

    @Test func decodesEntitiesCharacterReferencesAndCDATA() throws {
        let root = try XMLTree.parse(
            "<a>&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;&#x1F600;<![CDATA[<raw & text>]]></a>")
        #expect(root.text == "<b> & \"c\" 'd' AB😀<raw & text>")
    }

    @Test(arguments: [
        ("", "no root element"),
        ("<a>", "<a> is not closed"),
        ("<a></b>", "</b> closes <a>"),
        ("<a/><b/>", "more than one root element"),
        ("<a/>x", "text outside the root element"),
        ("text<a/>", "text outside the root element"),
        ("<a>&bogus;</a>", "unknown reference &bogus;"),
        ("<a>&#0;</a>", "unknown reference &#0;"),
        ("<a>& alone</a>", "an & that starts no reference"),
        ("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "DOCTYPE and other declarations are not accepted"),
        ("<a b></a>", "an attribute without a value"),
        ("<a b=c></a>", "an attribute value without quotes"),
        ("<a b=\"c></a>", "< inside an attribute value"),
        ("<a><!-- never closed </a>", "a comment is not closed"),
        ("</a>", "</a> closes nothing"),
        ("<>", "expected a name"),
    ])
    func refusesMalformedDocuments(document: String, reason: String) {
        #expect(throws: XMLTree.Failure.self) { try XMLTree.parse(document) }
        do {
            _ = try XMLTree.parse(document)
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test func depthAndElementCountAreBounded() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLTree.Failure.self) { try XMLTree.parse(deep) }
        #expect((try? XMLTree.parse(deep, limits: .init(depth: 100)))?.name == "a")
        do {
            _ = try XMLTree.parse(deep)
        } catch {
            #expect(error.reason == "nested deeper than 64 elements")
        }
        let wide = "<a>" + String(repeating: "<b/>", count: 11) + "</a>"
        #expect(throws: XMLTree.Failure.self) { try XMLTree.parse(wide, limits: .init(elements: 10)) }
        #expect((try? XMLTree.parse(wide, limits: .init(elements: 12)))?.children.count == 11)
    }

    /// Every prefix of a real answer, and every single-byte corruption of its first
    /// kilobyte, parses or fails cleanly: never a crash or a hang.
    @Test func truncatedAndCorruptedAnswersFailCleanly() throws {
        let bytes = Array(try FixtureFiles.text("ec2/describe-instance-status-events.xml").utf8)
        // Every prefix that stops before the root's closing `>` fails; the rest parse.
        let rootEnd = try #require(bytes.lastIndex(of: UInt8(ascii: ">"))) + 1
        for length in 0...bytes.count {
            let parsed = (try? XMLTree.parse(Array(bytes[..<length]))) != nil
            #expect(parsed == (length >= rootEnd), "prefix of \(length) bytes")
        }
        for index in 0..<min(1024, bytes.count) {
            for replacement: UInt8 in [0x00, UInt8(ascii: "<"), UInt8(ascii: "&"), 0xFF] {
                var corrupted = bytes
                corrupted[index] = replacement
                _ = try? XMLTree.parse(corrupted)
            }
        }
    }
}
