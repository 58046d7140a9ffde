import Foundation
import Notify
import Testing

@testable import Watchdog

/// Routes (SPEC §4.3): the matcher lists shared with maintenance and escalation, the
/// route parser, which channels take an alert and when, later messages following the
/// fire, the fall-through, and what `check-config` says of it.
@Suite struct RouteTests {
    static let system = MaintenanceTests.system
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        MaintenanceTests.utc(year, month, day, hour, minute)
    }

    func labels(_ key: String, _ severity: Severity = .critical) -> [String: String] {
        SilenceSet.labels(of: SignalKey(parsing: key)!, severity: severity, instance: "h")
    }

    func takes(_ matchers: String, _ key: String, _ severity: Severity = .critical) throws -> Bool {
        try MatcherList.parse(matchers).allSatisfy { CompiledMatcher($0).matches(labels(key, severity)) }
    }

    // MARK: matcher lists

    @Test(arguments: [
        ("*", "host_memory", Severity.warning, true),
        ("container_down", "container_down:db", .warning, true),
        ("container_down:db", "container_down:api", .warning, false),
        ("container_down:web-*", "container_down:web-2", .warning, true),
        ("container_down:*,dependency_down", "dependency_down:api", .warning, true),
        ("container_down:*,dependency_down", "host_memory", .warning, false),
        ("severity=critical", "host_memory", .critical, true),
        ("severity=critical", "host_memory", .warning, false),
        ("dependency_down,severity=critical", "dependency_down:api", .critical, true),
        ("dependency_down,severity=critical", "dependency_down:api", .warning, false),
        ("dependency_down,severity=critical", "host_memory", .critical, false),
        ("entity!=db", "container_down:db", .critical, false),
        ("entity!=db", "container_down:api", .critical, true),
        ("alertname=~dependency_.*", "dependency_slow:api", .warning, true),
        ("alertname=~\"container_(down|unhealthy)\",entity=~\"w{1,3}eb\"", "container_down:wweb", .warning, true),
        ("*, entity!=db", "container_down:db", .warning, false),
        ("severity = critical", "disk_full:/data", .critical, true),
    ])
    func matcherListsHoldWhole(matchers: String, key: String, severity: Severity, expected: Bool) throws {
        #expect(try takes(matchers, key, severity) == expected)
    }

    @Test(arguments: [
        ("", "no matcher"),
        ("containr_down", "did you mean container_down"),
        ("severity=~(", "does not parse"),
        ("1abc=x", "is not a label name"),
        (Array(repeating: "host_memory", count: 21).joined(separator: ","), "at most 20"),
    ])
    func badMatcherListsSayWhy(text: String, reason: String) {
        #expect {
            try MatcherList.parse(text)
        } throws: { error in
            (error as? SilenceError)?.reason.contains(reason) == true
        }
    }

    @Test func commasInsideARegexDoNotSplitIt() {
        #expect(MatcherList.split("a=~\"x,y\", b=~c{1,2}, [d,e], f") == ["a=~\"x,y\"", "b=~c{1,2}", "[d,e]", "f"])
    }

    @Test func maintenanceTakesLabelMatchersToo() throws {
        let window = try MaintenanceParser.window(
            "daily 08:00-09:00 UTC dependency_down,severity=critical", number: 1, zoneDirectory: Self.system
        ).get()
        let silences = SilenceSet(ConfiguredSilences(maintenance: [window]).silences(at: Self.utc(2027, 1, 15, 8, 30)))
        #expect(silences.silencing(labels("dependency_down:api", .critical)) == ["maintenance-1"])
        #expect(silences.silencing(labels("dependency_down:api", .warning)).isEmpty)
        #expect(silences.silencing(labels("host_memory", .critical)).isEmpty)
    }

    @Test func maintenanceOfEverythingIsAWindowNotARefusal() throws {
        let window = try MaintenanceParser.window("sun 02:00-04:00 *", number: 1, zoneDirectory: Self.system).get()
        let silences = SilenceSet(ConfiguredSilences(maintenance: [window]).silences(at: Self.utc(2027, 1, 17, 3)))
        #expect(silences.silencing(labels("host_memory", .warning)) == ["maintenance-1"])
    }

    // MARK: the route parser

    @Test func routeEntriesAreWindowsOrAlways() {
        let (entries, problems) = RouteParser.parse(
            "mon-fri 18:00-09:00 Europe/Berlin severity=critical; always container_down:db", zoneDirectory: Self.system)
        #expect(problems.isEmpty)
        #expect(entries.map { $0.schedule?.zoneName } == ["Europe/Berlin", nil])
        #expect(
            entries.map(\.text) == ["mon-fri 18:00-09:00 Europe/Berlin severity=critical", "always container_down:db"])
    }

    @Test(arguments: [
        ("always", "no matcher"),
        ("sometimes *", "expected always MATCHER"),
        ("mon 09:00-09:00 *", "ends when it starts"),
        ("mon 09:00-18:00 Mars/Olympus *", "unknown time zone"),
        (";", "no entry"),
    ])
    func badRoutesSayWhy(text: String, reason: String) {
        let (_, problems) = RouteParser.parse(text, zoneDirectory: Self.system)
        #expect(problems.count == 1)
        #expect(problems.first?.contains(reason) == true, "\(problems)")
    }

    @Test func aRouteToAChannelThatDoesNotExistIsAStartupErrorNamingTheVariable() {
        #expect {
            try Configuration.load(
                process: ["WATCHDOG_ROUTE_SLAK": "always *", "WATCHDOG_SLACK_WEBHOOK_URL": "https://hooks.example/x"],
                workingDirectory: nil)
        } throws: { error in
            let text = "\(error)"
            return text.contains("WATCHDOG_ROUTE_SLAK: no channel is named slak; did you mean slack?")
                && !text.contains("hooks.example")
        }
        #expect {
            try Configuration.load(
                process: ["WATCHDOG_ROUTE_CONSOLE": "mon 25:00-26:00 *", "TZDIR": Self.system], workingDirectory: nil)
        } throws: { error in
            "\(error)".contains("WATCHDOG_ROUTE_CONSOLE: entry 1 \"mon 25:00-26:00 *\"")
        }
    }

    @Test func channelNamesAreKnownWithoutBuildingTheChannels() throws {
        let loaded = try Configuration.load(
            process: [
                "WATCHDOG_TELEGRAM_BOT_TOKEN": "1:x", "WATCHDOG_TELEGRAM_CHAT_ID": "-100",
                "WATCHDOG_SLACK_WEBHOOK_URL": "https://hooks.example/x", "WATCHDOG_WEBHOOK_URL": "https://w.example/",
                "WATCHDOG_ALERTMANAGER_URL": "http://a:9093,http://b:9093", "WATCHDOG_NOTIFY_ONCALL": "ntfy://n/t",
                "WATCHDOG_CONSOLE": "true", "WATCHDOG_ROUTE_ALERTMANAGER": "always severity=critical",
            ], workingDirectory: nil)
        let built = ChannelCatalog.channels(for: loaded.configuration, logger: .init(label: "test")).map(\.name)
        #expect(ChannelCatalog.names(for: loaded.configuration) == built)
        #expect(built == ["telegram", "slack", "webhook", "alertmanager-1", "alertmanager-2", "oncall", "console"])
    }

    // MARK: who takes an alert

    /// The SPEC's example: the day team in Slack, nights and weekends to the phone.
    func dayAndNight(unrouted: [String] = [], tiers: Set<String> = []) -> RouteTable {
        let slack = RouteParser.parse("mon-fri 09:00-18:00 Europe/Berlin *", zoneDirectory: Self.system).entries
        let oncall = RouteParser.parse(
            "mon-fri 18:00-09:00 Europe/Berlin severity=critical; sat-sun 00:00-24:00 Europe/Berlin severity=critical",
            zoneDirectory: Self.system
        ).entries
        return RouteTable(
            channels: ["slack", "oncall"] + unrouted,
            routes: [
                ChannelRoute(channel: "slack", variable: "WATCHDOG_ROUTE_SLACK", entries: slack),
                ChannelRoute(channel: "oncall", variable: "WATCHDOG_ROUTE_ONCALL", entries: oncall),
            ], tiers: tiers)
    }

    @Test(arguments: [
        // Friday 15 January 2027; Berlin is UTC+1 in winter.
        (utc(2027, 1, 15, 10), Severity.critical, ["slack"]),
        (utc(2027, 1, 15, 10), .warning, ["slack"]),
        (utc(2027, 1, 15, 20), .critical, ["oncall"]),
        (utc(2027, 1, 16, 12), .critical, ["oncall"]),
        // A warning at night: no route takes it, so every channel does.
        (utc(2027, 1, 15, 20), .warning, ["slack", "oncall"]),
        // Monday 00:00–09:00 in Berlin: the example's own gap; it still arrives.
        (utc(2027, 1, 18, 3), .critical, ["slack", "oncall"]),
    ])
    func theRouteAtTheFireTimeChoosesTheChannels(at: Date, severity: Severity, expected: [String]) {
        #expect(dayAndNight().destinations(for: labels("host_memory", severity), at: at) == expected)
    }

    @Test func channelsWithoutARouteTakeEverythingAndTheFallThrough() {
        let table = dayAndNight(unrouted: ["telegram"])
        #expect(
            table.destinations(for: labels("host_memory", .critical), at: Self.utc(2027, 1, 15, 10)) == [
                "slack", "telegram",
            ])
        #expect(table.destinations(for: labels("host_memory", .warning), at: Self.utc(2027, 1, 15, 20)) == ["telegram"])
    }

    @Test func escalationTiersNeverTakeOrdinaryTrafficNorTheFallThrough() {
        let table = dayAndNight(unrouted: ["lead"], tiers: ["lead"])
        #expect(
            table.destinations(for: labels("host_memory", .warning), at: Self.utc(2027, 1, 15, 20)) == [
                "slack", "oncall",
            ])
        let tiersOnly = RouteTable(channels: ["console", "lead"], tiers: ["lead"])
        #expect(tiersOnly.destinations(for: labels("host_memory"), at: Self.utc(2027, 1, 15, 20)) == ["console"])
    }

    @Test func noRoutesAndNoTiersMeansEveryChannelWithoutDeciding() {
        #expect(
            RouteTable(channels: ["a", "b"]).destinations(for: labels("host_memory"), at: Self.utc(2027, 1, 15, 20))
                == nil)
    }

    @Test func anAlertmanagerRouteTakesEveryMemberOfTheCluster() {
        let entries = RouteParser.parse("always severity=critical", zoneDirectory: Self.system).entries
        let table = RouteTable(
            channels: ["alertmanager-1", "alertmanager-2", "console"],
            routes: [ChannelRoute(channel: "alertmanager", variable: "WATCHDOG_ROUTE_ALERTMANAGER", entries: entries)])
        #expect(
            table.destinations(for: labels("host_memory", .critical), at: Self.utc(2027, 1, 15, 20))
                == ["alertmanager-1", "alertmanager-2", "console"])
        #expect(table.destinations(for: labels("host_memory", .warning), at: Self.utc(2027, 1, 15, 20)) == ["console"])
    }

    // MARK: in the tick

    func settings(_ routes: RouteTable) -> DecisionSettings {
        DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: .seconds(600), processCooldown: nil),
            texts: Texts(.en), routes: routes)
    }

    func outcome(_ key: SignalKey, active: Bool, severity: Severity = .critical) -> SourceOutcome {
        SourceOutcome(
            source: "dependencies", ownership: .families([.dependencyDown]), status: .ok,
            signals: [signal(key, active: active, severity: severity)])
    }

    @Test func laterMessagesFollowTheFireEvenAfterTheWindowChanged() {
        let settings = settings(dayAndNight())
        let key = SignalKey(.dependencyDown, "api")
        var state = EngineState()
        var sent: [(String, [String]?)] = []
        // Fires at 16:50 Berlin (slack), repeats at 17:00 and 17:10, resolves at 19:10 (night).
        for (hour, minute, active) in [(15, 50, true), (16, 0, true), (17, 1, true), (18, 10, false)] {
            let evaluation = evaluateTick(
                [outcome(key, active: active)], state: state, now: Self.utc(2027, 1, 15, hour, minute),
                settings: settings)
            sent += evaluation.notifications.map { ($0.action.rawValue, $0.channels) }
            state = evaluation.state
        }
        #expect(sent.map(\.0) == ["fire", "repeat", "repeat", "resolve"])
        #expect(sent.allSatisfy { $0.1 == ["slack"] })
    }

    @Test func theMirrorListAndTheChannelsOutboxesSeeOnlyWhatIsRoutedToThem() {
        let settings = settings(dayAndNight())
        let day = evaluateTick(
            [outcome(SignalKey(.dependencyDown, "api"), active: true)], state: EngineState(),
            now: Self.utc(2027, 1, 15, 10), settings: settings)
        let night = evaluateTick(
            [
                outcome(SignalKey(.dependencyDown, "api"), active: true),
                SourceOutcome(
                    source: "host", ownership: .families([.hostMemory]), status: .ok,
                    signals: [signal(SignalKey(.hostMemory), active: true, severity: .critical)]),
            ], state: day.state, now: Self.utc(2027, 1, 15, 20), settings: settings)
        let tick = TickNotifications(
            notifications: night.notifications, firing: night.firing, now: Self.utc(2027, 1, 15, 20))
        #expect(tick.routed(to: "oncall").notifications.map(\.key) == ["host_memory"])
        #expect(tick.routed(to: "oncall").firing.map(\.key) == ["host_memory"])
        #expect(tick.routed(to: "slack").firing.map(\.key) == ["dependency_down:api"])
        // The day's alert repeats at night where it fired, and not on the phone.
        #expect(tick.routed(to: "slack").notifications.map(\.action) == [.repeat])
        #expect(!tick.routed(to: "oncall").notifications.contains { $0.key == "dependency_down:api" })
    }

    @Test func aFireHeldByASilenceIsRoutedWhenItIsAnnouncedLate() throws {
        let window = try MaintenanceParser.window("daily 17:00-21:00 UTC *", number: 1, zoneDirectory: Self.system)
            .get()
        var settings = settings(dayAndNight())
        settings.silences = ConfiguredSilences(maintenance: [window])
        let key = SignalKey(.dependencyDown, "api")
        // Held from 17:30 UTC (18:30 Berlin, day for nobody's route), announced at 21:00 UTC: night.
        var state = EngineState()
        var sent: [(String, [String]?)] = []
        for (hour, minute) in [(17, 30), (20, 59), (21, 0)] {
            let evaluation = evaluateTick(
                [outcome(key, active: true)], state: state, now: Self.utc(2027, 1, 15, hour, minute), settings: settings
            )
            sent += evaluation.notifications.map { ($0.action.rawValue, $0.channels) }
            state = evaluation.state
        }
        #expect(sent.map(\.0) == ["fire"])
        #expect(sent.first?.1 == ["oncall"])
        #expect(state.alerts[key]?.channels == ["oncall"])
    }

    // MARK: check-config

    @Test func checkConfigNamesTheTimesThatFallThroughPerSeverity() {
        let lines = dayAndNight().report(now: Self.utc(2027, 1, 13, 12))
        #expect(
            lines.contains(
                "  critical alerts no route takes, sent to every channel (slack, oncall): mon 00:00–09:00 Europe/Berlin"
            ))
        #expect(
            lines.contains(
                "  warning alerts no route takes, sent to every channel (slack, oncall): mon 18:00–tue 09:00, tue 18:00–wed 09:00, wed 18:00–thu 09:00, thu 18:00–fri 09:00, fri 18:00–mon 09:00 Europe/Berlin"
            ))
        #expect(!lines.contains { $0.contains("may fall through more often") })
    }

    @Test func aWholeWeekAndNothingAreSaidPlainly() {
        let always = RouteParser.parse("always *", zoneDirectory: Self.system).entries
        let keysOnly = RouteParser.parse("always container_down", zoneDirectory: Self.system).entries
        let table = RouteTable(
            channels: ["a", "b"],
            routes: [ChannelRoute(channel: "b", variable: "WATCHDOG_ROUTE_B", entries: keysOnly)])
        let lines = table.report(now: Self.utc(2027, 1, 13, 12))
        #expect(
            lines.contains("  critical alerts no route takes, sent to the channels without a route (a): always UTC"))
        #expect(lines.contains { $0.contains("may fall through more often") })
        let everything = RouteTable(
            channels: ["a"], routes: [ChannelRoute(channel: "a", variable: "WATCHDOG_ROUTE_A", entries: always)])
        #expect(
            everything.report(now: Self.utc(2027, 1, 13, 12)).contains(
                "  warning alerts no route takes, sent to every channel (a): never"))
    }

    @Test func runsAcrossTheEndOfTheWeekAreOne() {
        var minutes = [Bool](repeating: false, count: RouteTable.minutesPerWeek)
        for minute in 0..<540 { minutes[minute] = true }
        for minute in (RouteTable.minutesPerWeek - 360)..<RouteTable.minutesPerWeek { minutes[minute] = true }
        let runs = RouteTable.runs(minutes)
        #expect(runs.map { RouteTable.describe(from: $0.start, to: $0.end) } == ["sun 18:00–mon 09:00"])
        #expect(RouteTable.describe(from: 5 * 1_440, to: 6 * 1_440) == "sat 00:00–24:00")
    }
}
