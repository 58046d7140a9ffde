import Foundation
import FoundationGaps
import Testing

/// The JSON of bodies whose shape is not fixed, and percent-encoding: what replaced
/// `JSONSerialization` and `addingPercentEncoding` when the shipped targets left full
/// Foundation.
@Suite struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try #require(
            JSONValue.parse(
                Array(
                    #"{"ok":true,"n":null,"id":-1001234567890,"big":1700000000123456789,"ratio":0.5,"five":5.0,"text":"a\"\u00e9/","list":[1,"two",[]],"nested":{"k":"v"}}"#
                        .utf8)))
        #expect(value["ok"]?.boolValue == true)
        #expect(value["n"] == .null)
        #expect(value["id"]?.numberText == "-1001234567890")
        // Nanosecond times stay exact: a Double would round them.
        #expect(value["big"]?.int64Value == 1_700_000_000_123_456_789)
        #expect(value["ratio"]?.doubleValue == 0.5)
        #expect(value["ratio"]?.intValue == nil)
        #expect(value["five"]?.intValue == 5)
        #expect(value["text"]?.stringValue == "a\"é/")
        #expect(value["list"]?.arrayValue?.count == 3)
        #expect(value["nested"]?["k"]?.stringValue == "v")
        #expect(value["missing"] == nil)
        #expect(value["text"]?["k"] == nil)
    }

    @Test(arguments: ["", "{", "{\"a\":}", "nul", "\u{0}", "{\"a\":1}}", String(repeating: "[", count: 100_000)])
    func refusesWhatIsNotJSON(text: String) {
        #expect(JSONValue.parse(Array(text.utf8)) == nil)
    }

    @Test func encodesWithSortedKeysAndReadsBack() throws {
        let value: JSONValue = [
            "text": JSONValue("line\nwith \"quotes\" and </tags> é"), "b": true, "a": [1, 2.5, nil],
            "chat_id": .integer(-1_001_234_567_890),
        ]
        let text = value.encodedString
        #expect(text.hasPrefix(#"{"a":[1,2.5,null],"b":true,"chat_id":-1001234567890,"text":"#))
        #expect(JSONValue.parse(value.encoded) == value)
        // Foundation's own reader agrees.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(value.encoded)) as? [String: Any])
        #expect(object["text"] as? String == "line\nwith \"quotes\" and </tags> é")
        #expect(JSONValue.double(.nan).encodedString == "null")
    }

    @Test func stringMembersKeepOnlyStrings() {
        let labels = JSONValue.parse(Array(#"{"a":"1","b":2,"c":null,"d":"x"}"#.utf8))
        #expect(labels?.stringMembers == ["a": "1", "d": "x"])
        #expect(JSONValue.string("x").stringMembers == [:])
    }

    @Test func percentEncodesAllButUnreservedBytes() {
        #expect(PercentEncoding.encode(#"{"type":["container"]}"#) == "%7B%22type%22%3A%5B%22container%22%5D%7D")
        #expect(PercentEncoding.encode("web-1_a.b", keeping: Set("-_.".utf8)) == "web-1_a.b")
        #expect(PercentEncoding.encode("é /?") == "%C3%A9%20%2F%3F")
        #expect(PercentEncoding.socketHost("/var/run/docker.sock") == "%2Fvar%2Frun%2Fdocker.sock")
        #expect(PercentEncoding.socketHost("/tmp/a b~c") == "%2Ftmp%2Fa%20b~c")
        // What Foundation does for the same sets, on ASCII.
        let name = "my app/1:2"
        #expect(
            PercentEncoding.encode(name)
                == name.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
    }
}
