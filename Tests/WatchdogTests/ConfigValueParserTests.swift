import Testing

@testable import Watchdog

@Suite struct ConfigValueParserTests {
    @Test(arguments: [
        ("45", 1.0, 45.0), ("45s", 1, 45), ("15m", 1, 900), ("2h", 1, 7200), ("1d", 1, 86_400),
        ("1.5h", 1, 5400), ("250ms", 1, 0.25), (" 30s ", 1, 30), ("30 s", 1, 30), ("2H", 1, 7200),
        ("60", 60, 3600), ("0", 1, 0), ("0.5", 60, 30),
    ])
    func durationsParseWithUnitsAndBareNumbers(text: String, bareUnit: Double, seconds: Double) {
        #expect(ConfigValueParser.duration(text, bareUnitSeconds: bareUnit)?.seconds == seconds)
    }

    @Test(arguments: ["", "abc", "-5s", "5x", "1.2.3s", ".5s", "5.s", "s", "1e3", "99999d", "nan", "inf", "5 m s"])
    func invalidDurationsAreRejected(text: String) {
        #expect(ConfigValueParser.duration(text, bareUnitSeconds: 1) == nil)
    }

    @Test(arguments: [
        ("true", true), ("FALSE", false), ("1", true), ("0", false), ("yes", true), ("No", false),
        ("on", true), ("OFF", false),
    ])
    func booleansAcceptTheUsualSpellings(text: String, value: Bool) {
        #expect(ConfigValueParser.flag(text) == value)
    }

    @Test(arguments: ["", "y", "2", "enabled", "truee"])
    func otherBooleansAreRejected(text: String) {
        #expect(ConfigValueParser.flag(text) == nil)
    }

    @Test(arguments: [("0", 0.0), ("100", 100), ("92.5", 92.5), ("90%", 90), (" 7 ", 7)])
    func percentagesFromZeroToHundred(text: String, value: Double) {
        #expect(ConfigValueParser.percent(text) == value)
    }

    @Test(arguments: ["-1", "100.5", "101", "abc", "", "%", "1e2", "nan"])
    func percentagesOutOfRangeAreRejected(text: String) {
        #expect(ConfigValueParser.percent(text) == nil)
    }

    @Test func listsTrimBlanksAndIgnoreEmptyItems() {
        #expect(ConfigValueParser.list(" /, /data ,,  ,/var/lib ") == ["/", "/data", "/var/lib"])
        #expect(ConfigValueParser.list("").isEmpty)
    }

    @Test(arguments: [
        ("127.0.0.1:9099", "127.0.0.1", 9099), ("0.0.0.0:80", "0.0.0.0", 80), ("[::]:9099", "::", 9099),
        ("localhost:1", "localhost", 1),
    ])
    func listenAddresses(text: String, host: String, port: Int) {
        #expect(ConfigValueParser.listenAddress(text) == ListenAddress(host: host, port: port))
    }

    @Test(arguments: ["9099", ":9099", "host:0", "host:65536", "host:port", "::1:9099", "[::1]9099", "a b:1"])
    func invalidListenAddresses(text: String) {
        #expect(ConfigValueParser.listenAddress(text) == nil)
    }

    @Test func listenAddressKnowsLoopback() {
        #expect(ListenAddress(host: "127.0.0.1", port: 1).isLoopback)
        #expect(ListenAddress(host: "::1", port: 1).isLoopback)
        #expect(!ListenAddress(host: "0.0.0.0", port: 1).isLoopback)
    }

    @Test func urlsMustBeHTTPWithAHost() {
        #expect(ConfigValueParser.httpURL("https://hc-ping.com/abc") != nil)
        #expect(ConfigValueParser.httpURL("http://user:pw@host:8080/x") != nil)
        #expect(ConfigValueParser.httpURL("ftp://host/x") == nil)
        #expect(ConfigValueParser.httpURL("https://") == nil)
        #expect(ConfigValueParser.httpURL("https://host/a b") == nil)
    }

    @Test(arguments: [
        (Duration.seconds(30), "30s"), (.seconds(900), "15m"), (.seconds(5400), "1.5h"),
        (.milliseconds(250), "250ms"), (.zero, "0s"),
    ])
    func durationsAreWrittenTheWayTheyAreRead(duration: Duration, text: String) {
        #expect(DurationFormat.text(duration) == text)
    }
}
