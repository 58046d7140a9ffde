import Testing

@testable import Watchdog

@Suite struct DotEnvTests {
    @Test func parsesTheFormsComposeWrites() throws {
        let text = """
            # comment
            WATCHDOG_INTERVAL=15s

            export WATCHDOG_LANG=ru
            WATCHDOG_INSTANCE = prod-1   # trailing comment
            WATCHDOG_MUTE="container_down:db # not a comment"
            WATCHDOG_STATE_FILE='/var/lib/$HOME/state.json'
            WATCHDOG_EMPTY=
            WATCHDOG_ESCAPED="a\\"b\\\\c\\nd"
            WATCHDOG_URL=https://example.test/#anchor
            WINDOWS=crlf\r
            """
        let entries = Dictionary(try DotEnv.parse(text).map { ($0.key, $0.value) }) { $1 }
        #expect(entries["WATCHDOG_INTERVAL"] == "15s")
        #expect(entries["WATCHDOG_LANG"] == "ru")
        #expect(entries["WATCHDOG_INSTANCE"] == "prod-1")
        #expect(entries["WATCHDOG_MUTE"] == "container_down:db # not a comment")
        #expect(entries["WATCHDOG_STATE_FILE"] == "/var/lib/$HOME/state.json")
        #expect(entries["WATCHDOG_EMPTY"] == "")
        #expect(entries["WATCHDOG_ESCAPED"] == "a\"b\\c\nd")
        #expect(entries["WATCHDOG_URL"] == "https://example.test/#anchor")
        #expect(entries["WINDOWS"] == "crlf")
    }

    @Test(arguments: [
        ("JUST_A_NAME", 1, "expected KEY=VALUE"),
        ("A=1\n1BAD=2", 2, "invalid variable name"),
        ("A=\"open", 1, "unterminated quoted value"),
        ("A='x' y", 1, "text after the closing quote"),
        ("=value", 1, "invalid variable name"),
    ])
    func badLinesAreErrorsNamingTheLine(text: String, line: Int, message: String) {
        #expect(throws: DotEnv.ParseError(line: line, message: message)) {
            try DotEnv.parse(text)
        }
    }
}
