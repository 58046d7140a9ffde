import Foundation
import Logging
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// SPEC §14 as pure functions: incidents from the tick's states, the summary every
/// answer shares, the history API's query.
@Suite struct IncidentTrackingTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let db = SignalKey(.containerDown, "db")
    let disk = SignalKey(.diskFull, "/data")

    func settings(escalation: EscalationPolicy = .off) -> DecisionSettings {
        DecisionSettings(
            instance: "h", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(3_600), processCooldown: nil), texts: Texts(.en),
            routes: RouteTable(channels: ["chat", "oncall"], tiers: escalation.channels), escalation: escalation)
    }

    func outcome(_ active: [SignalKey: Bool]) -> SourceOutcome {
        SourceOutcome(
            source: "s", ownership: .families([.containerDown, .diskFull]), status: .ok,
            signals: active.sorted { $0.key < $1.key }.map { key, on in
                Signal(
                    key: key, active: on, severity: key.family == .containerDown ? .critical : .warning,
                    title: "\(key) title", detail: "")
            })
    }

    /// Ticks a minute apart from `t0`; `between` changes the state before the tick of
    /// that index (an acknowledgement from the chat).
    func run(
        _ ticks: [[SignalKey: Bool]], settings: DecisionSettings? = nil,
        between: [Int: (inout EngineState, Date) -> Void] = [:]
    ) -> [[Incident]] {
        var state = EngineState()
        var changes: [[Incident]] = []
        for (index, tick) in ticks.enumerated() {
            let now = t0.addingTimeInterval(Double(index) * 60)
            between[index]?(&state, now.addingTimeInterval(-30))
            let evaluation = evaluateTick(
                [outcome(tick)], state: state, now: now, settings: settings ?? self.settings())
            state = evaluation.state
            changes.append(evaluation.incidentChanges)
        }
        return changes
    }

    @Test func aFireAnAcknowledgementAndAResolveAreOneIncidentInThreeLines() throws {
        let changes = run(
            [[db: true], [db: true], [db: true], [db: false]],
            between: [
                2: { state, at in state.silences.acknowledgements[db] = Acknowledgement(by: "@alice", at: at, via: "tg")
                }
            ])
        #expect(changes.map { $0.map(\.event) } == [[.opened], [], [.acknowledged], [.resolved]])
        let opened = try #require(changes[0].first)
        let resolved = try #require(changes[3].first)
        #expect(opened.id == resolved.id)
        #expect(opened.key == "container_down:db" && opened.severity == .critical && opened.announced)
        #expect(opened.channels == ["chat", "oncall"])
        #expect(resolved.acknowledgedBy == "@alice" && resolved.acknowledgedVia == "tg")
        #expect(resolved.timeToAcknowledge == 90)
        #expect(resolved.resolvedAt == t0.addingTimeInterval(180))
        #expect(resolved.duration(at: .distantFuture) == 180)
        // The acknowledgement line is dated when it was made.
        #expect(changes[2].first?.at == t0.addingTimeInterval(90))
    }

    @Test func anAcknowledgementMadeJustBeforeTheResolveIsKept() throws {
        // The tick that resolves drops the acknowledgement from the book; the incident
        // still says who acknowledged it.
        let changes = run(
            [[db: true], [db: false]],
            between: [1: { state, at in state.silences.acknowledgements[db] = Acknowledgement(by: "bob", at: at) }])
        let resolved = try #require(changes[1].first)
        #expect(resolved.event == .resolved && resolved.acknowledgedBy == "bob")
    }

    @Test func theNextProblemOfAKeyIsANewIncident() {
        let changes = run([[db: true], [db: false], [db: true], [db: false]])
        let ids = changes.flatMap { $0 }.map(\.id)
        #expect(changes.map { $0.map(\.event) } == [[.opened], [.resolved], [.opened], [.resolved]])
        #expect(ids[0] == ids[1] && ids[2] == ids[3] && ids[0] != ids[2])
    }

    @Test func aFlappingKeyIsOneIncidentWhileItFlaps() {
        var settings = settings()
        settings.policies = .standard(
            cooldown: .seconds(3_600), processCooldown: nil, flap: FlapPolicy(changes: 3, window: .seconds(3_600)))
        // Fire, resolve, fire: flapping from the third change; then quiet until it settles.
        let ticks: [[SignalKey: Bool]] = [[db: true], [db: false], [db: true], [db: false], [db: true], [db: false]]
        let changes = run(ticks + Array(repeating: [db: false], count: 70), settings: settings)
        let lines = changes.flatMap { $0 }
        // The first problem is one incident; from the flap on, one more until it settles.
        // The first problem, resolved before the flap; then one incident from the fire that
        // made it flap until it settled, through every fire and resolve in between.
        #expect(lines.map(\.event) == [.opened, .resolved, .opened, .resolved])
        #expect(lines[2].id == lines[3].id && lines[2].startedAt == t0.addingTimeInterval(120))
        #expect(lines[3].resolvedAt.map { $0 > t0.addingTimeInterval(300) } == true)
    }

    @Test func aSilencedProblemIsAnIncidentThatWasNotAnnounced() throws {
        var settings = settings()
        settings.silences = try ConfiguredSilences(mute: [SignalKey(.diskFull)])
        let changes = run([[disk: true], [disk: false]], settings: settings)
        let resolved = try #require(changes[1].first)
        #expect(changes[0].map(\.event) == [.silenced])
        #expect(resolved.silencedBy.count == 1 && !resolved.announced && resolved.channels.isEmpty)
    }

    @Test func anEscalationIsALine() throws {
        let policy = EscalationPolicy(
            tiers: [.init(after: .seconds(60), channel: "oncall")], matchers: [], repeatEvery: nil)
        var state = EngineState()
        var lines: [Incident] = []
        for (index, active) in [true, true, true, true, false].enumerated() {
            let now = t0.addingTimeInterval(Double(index) * 60)
            let evaluation = evaluateTick(
                [outcome([db: active])], state: state, now: now, settings: settings(escalation: policy))
            state = evaluation.state
            // The fire reaches the chat at once.
            for key in state.alerts.keys where state.alerts[key]?.escalation?.deliveredAt == nil {
                state.alerts[key]?.escalation?.deliveredAt = now
            }
            lines += evaluation.incidentChanges
        }
        #expect(lines.map(\.event) == [.opened, .escalated, .resolved])
        #expect(lines.last?.escalatedTo == ["oncall"])
        #expect(lines.last?.channels == ["chat", "oncall"])
    }

    @Test func anIncidentLineReadsBackAsWritten() throws {
        let incident = Incident(
            id: "abc", event: .resolved, at: t0, key: "disk_full:/data", family: "disk_full", entity: "/data",
            severity: .warning, title: "Disk <full>", startedAt: t0.addingTimeInterval(-600), resolvedAt: t0,
            acknowledgedBy: "@a", acknowledgedAt: t0.addingTimeInterval(-300), acknowledgedVia: "api",
            silencedBy: ["s1"], inhibitedBy: ["container_down:db"], escalatedTo: ["oncall"], announced: true,
            channels: ["chat"])
        let line = IncidentLines.line(incident)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasSuffix("}\n") && text.filter { $0 == "\n" }.count == 1)
        #expect(text.contains(#""duration_s":600"#))
        #expect(text.contains(#""started_at":"2027-01-15T07:50:00Z""#))
        #expect(IncidentLines.parse(line).incidents == [incident])
        // A line with only what an incident cannot be without still reads.
        let minimal = #"{"id":"x","at":"2027-01-15T08:00:00Z","key":"k","started_at":"2027-01-15T07:00:00Z"}"#
        let read = IncidentLines.parse(Data(minimal.utf8))
        #expect(read.skipped == 0 && read.incidents.first?.isOpen == true && read.incidents.first?.family == "k")
    }

    @Test func theLastLineOfAnIncidentWinsAndTornOrBadLinesCostOnlyThemselves() {
        var first = Incident(
            id: "a", event: .opened, at: t0, key: "k", family: "k", entity: nil, severity: .warning, title: "t",
            startedAt: t0)
        var bytes = IncidentLines.line(first)
        bytes.append(Data("not json\n".utf8))
        bytes.append(Data(String(repeating: "x", count: IncidentLines.lineLimit + 1).utf8 + [10]))
        first.event = .resolved
        first.resolvedAt = t0.addingTimeInterval(60)
        bytes.append(IncidentLines.line(first))
        // A crash in the middle of a line.
        bytes.append(IncidentLines.line(first).prefix(40))
        let read = IncidentLines.parse(bytes)
        #expect(read.incidents == [first])
        #expect(read.skipped == 3)
    }

    @Test func compactionKeepsTheOpenAndTheRecentWithinTheBound() {
        func incident(_ id: Int, resolvedHoursAgo: Double?) -> Incident {
            Incident(
                id: "\(id)", event: .opened, at: t0, key: "k\(id)", family: "k", entity: nil, severity: .warning,
                title: "", startedAt: t0.addingTimeInterval(Double(id) - 100_000),
                resolvedAt: resolvedHoursAgo.map { t0.addingTimeInterval(-$0 * 3600) })
        }
        let all = [
            incident(1, resolvedHoursAgo: 48), incident(2, resolvedHoursAgo: nil), incident(3, resolvedHoursAgo: 1),
            incident(4, resolvedHoursAgo: 2),
        ]
        #expect(IncidentLines.kept(all, keep: 24 * 3600, limit: 10, now: t0).map(\.id) == ["2", "3", "4"])
        #expect(IncidentLines.kept(all, keep: 24 * 3600, limit: 2, now: t0).map(\.id) == ["2", "4"])
    }
}

@Suite struct HistorySummaryTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func incident(
        _ key: String, start: Double, end: Double?, ackAfter: Double? = nil, severity: Severity = .warning
    ) -> Incident {
        Incident(
            id: "\(key)@\(start)", event: .opened, at: t0, key: key, family: String(key.prefix { $0 != ":" }),
            entity: nil, severity: severity, title: key, startedAt: t0.addingTimeInterval(start),
            resolvedAt: end.map { t0.addingTimeInterval($0) }, acknowledgedBy: ackAfter.map { _ in "a" },
            acknowledgedAt: ackAfter.map { t0.addingTimeInterval(start + $0) }, announced: true)
    }

    @Test func theSummaryCountsMeasuresAndRanks() {
        let incidents = [
            incident("disk_full:/", start: -7_200, end: -7_100),  // before the period
            incident("container_down:db", start: -3_000, end: -1_200, ackAfter: 300, severity: .critical),
            incident("disk_full:/", start: -1_000, end: -900, ackAfter: 100),
            incident("disk_full:/", start: -600, end: nil),
        ]
        let summary = HistorySummary.of(incidents, from: t0.addingTimeInterval(-3_600), to: t0)
        #expect(summary.incidents == 3 && summary.critical == 1 && summary.warning == 2 && summary.open == 1)
        #expect(summary.acknowledged == 2 && summary.meanTimeToAcknowledgeS == 200)
        #expect(summary.meanTimeToResolveS == (1_800 + 100) / 2)
        #expect(summary.longest.map(\.key) == ["container_down:db", "disk_full:/", "disk_full:/"])
        #expect(summary.longest[1].open && summary.longest[1].durationS == 600)
        #expect(summary.noisiest == [HistorySummary.KeyCount(key: "disk_full:/", incidents: 2)])
        let words = summary.lines(Texts(.en))
        #expect(words[0] == "3 incidents: 1 critical, 2 warning; 1 still open")
        #expect(words[1] == "longest: container_down:db (30m); disk_full:/ (10m, still open); disk_full:/ (1m 40s)")
        #expect(words[2] == "fired most: disk_full:/ ×2")
        #expect(words[3] == "mean time to acknowledge 3m 20s (2 of 3) · to resolve 15m 50s")
        #expect(summary.lines(Texts(.ru))[0].hasPrefix("инцидентов: 3"))
    }

    @Test func aQuietPeriodIsQuiet() {
        let summary = HistorySummary.of([], from: t0.addingTimeInterval(-60), to: t0)
        #expect(summary.isQuiet && summary.meanTimeToResolveS == nil && summary.longest.isEmpty)
    }

    @Test func theAPIAnswersNewestFirstWithinItsBounds() throws {
        let incidents = (0..<5).map { incident("disk_full:/d\($0)", start: Double($0) * 100 - 1_000, end: nil) }
        let answer = HistoryAPI.answer(
            try HistoryAPI.Query.parse("since=1h&limit=2", now: t0).get(), incidents: incidents, now: t0)
        #expect(answer.total == 5 && answer.incidents.map(\.key) == ["disk_full:/d4", "disk_full:/d3"])
        #expect(answer.summary.incidents == 5)
        let byKey = HistoryAPI.answer(
            try HistoryAPI.Query.parse("key=disk_full%3A%2Fd1", now: t0).get(), incidents: incidents, now: t0)
        #expect(byKey.incidents.map(\.key) == ["disk_full:/d1"])
        let byFamily = HistoryAPI.answer(
            try HistoryAPI.Query.parse("key=disk_full", now: t0).get(), incidents: incidents, now: t0)
        #expect(byFamily.total == 5)
        let since = try HistoryAPI.Query.parse("since=2027-01-15T07:45:00Z", now: t0).get()
        #expect(since.since == t0.addingTimeInterval(-900))
        for bad in ["limit=0", "limit=1001", "limit=x", "since=yesterday", "since=-5m"] {
            guard case .failure = HistoryAPI.Query.parse(bad, now: t0) else {
                Issue.record("\(bad) was taken")
                continue
            }
        }
        let refused = HistoryAPI.respond(query: "limit=5000", incidents: incidents, now: t0)
        #expect(refused.status == 400 && refused.body.contains("limit"))
    }
}

@Suite struct IncidentLogTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func incident(_ id: String, start: Double, resolved: Double? = nil) -> Incident {
        Incident(
            id: id, event: resolved == nil ? .opened : .resolved, at: t0, key: "k:\(id)", family: "k", entity: id,
            severity: .warning, title: id, startedAt: t0.addingTimeInterval(start),
            resolvedAt: resolved.map { t0.addingTimeInterval($0) })
    }

    @Test func itAppendsReadsBackAndCompactsAtStart() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/history.jsonl"
        let log = IncidentLog(path: path, keep: 86_400, logger: Logger(label: "test"))
        await log.start(now: t0)
        await log.record([incident("a", start: -100)], now: t0)
        await log.record([incident("b", start: -50)], now: t0)
        await log.record([incident("a", start: -100, resolved: 0)], now: t0)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.split(separator: "\n").count == 3)
        // A crash tore the last line; the next start skips it and writes one line each.
        try (written + #"{"id":"c","ev"#).write(toFile: path, atomically: false, encoding: .utf8)
        let again = IncidentLog(path: path, keep: 86_400, logger: Logger(label: "test"))
        await again.start(now: t0.addingTimeInterval(60))
        #expect(await again.all().map(\.id) == ["a", "b"])
        #expect(await again.all().first?.resolvedAt == t0)
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 2)
        // A day later what resolved more than WATCHDOG_HISTORY_KEEP ago is gone.
        await again.record([incident("c", start: 86_000)], now: t0.addingTimeInterval(90_000))
        #expect(await again.all().map(\.id) == ["b", "c"])
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 2)
    }

    @Test func itKeepsAtMostItsCapacity() async {
        let log = IncidentLog(path: nil, keep: 86_400 * 30, logger: Logger(label: "test"), capacity: 3)
        await log.start(now: t0)
        for index in 0..<5 { await log.record([incident("i\(index)", start: Double(index), resolved: 10)], now: t0) }
        #expect(await log.all().map(\.id) == ["i2", "i3", "i4"])
    }

    @Test func aFileThatCannotBeWrittenIsLoggedOnceAndHistoryStaysInMemory() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/missing/history.jsonl"
        let records = LogRecorder()
        let log = IncidentLog(path: path, keep: 86_400, logger: records.logger())
        await log.start(now: t0)
        await log.record([incident("a", start: 0)], now: t0)
        await log.record([incident("b", start: 1)], now: t0)
        #expect(await log.all().map(\.id) == ["a", "b"])
        let errors = records.all.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("cannot write the incident log") == true)
    }
}

/// `WATCHDOG_REPORT` (SPEC §14): when a report is due, once, across restarts, late once.
@Suite struct ReportTests {
    static let zones = MaintenanceTests.system

    static func schedule(_ text: String) throws -> ReportSchedule {
        let (schedule, problems) = ReportSchedule.parse(text, zoneDirectory: zones)
        try #require(problems.isEmpty, "\(problems)")
        return schedule
    }

    @Test func theScheduleReadsDaysATimeAndAZone() throws {
        let weekdays = try Self.schedule("mon-fri 09:00 Europe/Berlin")
        // Friday 2027-01-15 07:50 UTC is 08:50 in Berlin: Friday's 09:00 is next, Thursday's last.
        let friday = MaintenanceTests.utc(2027, 1, 15, 7, 50)
        #expect(weekdays.next(after: friday) == MaintenanceTests.utc(2027, 1, 15, 8))
        #expect(weekdays.latest(atOrBefore: friday) == MaintenanceTests.utc(2027, 1, 14, 8))
        // After Friday's, Monday's.
        #expect(weekdays.next(after: MaintenanceTests.utc(2027, 1, 15, 9)) == MaintenanceTests.utc(2027, 1, 18, 8))
        #expect(
            weekdays.describe(now: friday) == [
                "report 1: mon-fri 09:00 Europe/Berlin, next 2027-01-15T08:00:00Z (2027-01-15 09:00 Europe/Berlin)"
            ])
        let two = try Self.schedule("daily 09:00; sun 18:30")
        #expect(
            two.latest(atOrBefore: MaintenanceTests.utc(2027, 1, 17, 19)) == MaintenanceTests.utc(2027, 1, 17, 18, 30))
        for bad in ["mon", "mon 9:00", "mon 25:00", "funday 09:00", "mon 09:00 Mars/Base", "mon 09:00-10:00"] {
            let (_, problems) = ReportSchedule.parse(bad, zoneDirectory: Self.zones)
            #expect(problems.count == 1, "\(bad)")
        }
    }

    @Test func aReportIsSentOncePerTimeAndAMissedOneLateOnce() throws {
        let schedule = try Self.schedule("daily 09:00")
        let start = MaintenanceTests.utc(2027, 1, 15, 10)
        // The first start: today's 09:00 is not this run's; the first report covers from now.
        let first = schedule.due(memory: nil, now: start, lateAfter: 60)
        #expect(first.due == nil && first.memory?.periodStart == start)
        // The next day at 09:00:30: due, on time, for the day since the start.
        let atTime = MaintenanceTests.utc(2027, 1, 16, 9).addingTimeInterval(30)
        let onTime = schedule.due(memory: first.memory, now: atTime, lateAfter: 60)
        let due = try #require(onTime.due)
        #expect(!due.late && due.from == start && due.to == atTime)
        // The tick after, or a restart from the saved memory: nothing more.
        #expect(schedule.due(memory: onTime.memory, now: atTime.addingTimeInterval(30), lateAfter: 60).due == nil)
        // Down over two scheduled times: one report, late, since the last one.
        let back = MaintenanceTests.utc(2027, 1, 18, 11)
        let late = try #require(schedule.due(memory: onTime.memory, now: back, lateAfter: 60).due)
        #expect(late.late && late.from == atTime && late.scheduled == MaintenanceTests.utc(2027, 1, 18, 9))
        // Switched off, reports forget where they stood; on again, they start afresh.
        #expect(ReportSchedule().due(memory: onTime.memory, now: back, lateAfter: 60).memory == nil)
    }

    @Test func theReportSaysWhatHappenedOrThatAllWasQuiet() throws {
        let t0 = MaintenanceTests.utc(2027, 1, 16, 9)
        let settings = DecisionSettings(
            instance: "box", collectorFailedAfter: 3, policies: .standard(cooldown: nil, processCooldown: nil),
            texts: Texts(.en), routes: RouteTable(channels: ["chat", "pager"], routes: [], tiers: []))
        let due = ReportDue(scheduled: t0, from: t0.addingTimeInterval(-86_400), to: t0, late: false)
        let quiet = reportNotification(due, incidents: [], state: EngineState(), settings: settings)
        #expect(quiet.action == .report && quiet.severity == .warning && quiet.quiet)
        #expect(quiet.detail == "all quiet from 2027-01-15T09:00:00Z to 2027-01-16T09:00:00Z: no incidents")
        #expect(quiet.title == "box, the last 1d")
        let incident = Incident(
            id: "i", event: .resolved, at: t0, key: "disk_full:/", family: "disk_full", entity: "/",
            severity: .warning, title: "Disk", startedAt: t0.addingTimeInterval(-3_600),
            resolvedAt: t0.addingTimeInterval(-1_800), acknowledgedBy: "a",
            acknowledgedAt: t0.addingTimeInterval(-3_000))
        var late = ReportDue(scheduled: t0, from: due.from, to: t0.addingTimeInterval(7_200), late: true)
        let busy = reportNotification(late, incidents: [incident], state: EngineState(), settings: settings)
        let lines = busy.detail.split(separator: "\n").map(String.init)
        #expect(lines.first == "⏰ sent late: the watchdog was not running at 2027-01-16T09:00:00Z")
        #expect(lines.contains("1 incident: 0 critical, 1 warning"))
        #expect(lines.contains("mean time to acknowledge 10m (1 of 1) · to resolve 30m"))
        #expect(lines.contains("nothing fires now"))
        late = ReportDue(scheduled: t0, from: due.from, to: t0, late: false)
        let russian = reportNotification(
            late, incidents: [], state: EngineState(),
            settings: DecisionSettings(
                instance: "box", collectorFailedAfter: 3, policies: .standard(cooldown: nil, processCooldown: nil),
                texts: Texts(.ru)))
        #expect(russian.detail.hasPrefix("всё спокойно"))
        // Rendered with the word "report" and the 📋 icon, one line per fact.
        let rendered = TelegramRenderer(language: .en, silentResolved: true).render(.single(busy)).first?.body ?? ""
        #expect(rendered.hasPrefix("📋 <b>REPORT</b>"))
        #expect(rendered.contains("\nmean time to acknowledge"))
    }

    @Test func aReportIsRoutedAsAWarningIs() throws {
        let t0 = MaintenanceTests.utc(2027, 1, 16, 9)
        let routes = RouteTable(
            channels: ["chat", "pager", "lead"],
            routes: [
                ChannelRoute(
                    channel: "pager", variable: "WATCHDOG_ROUTE_PAGER",
                    entries: RouteParser.parse("always severity=critical", zoneDirectory: Self.zones).entries),
                ChannelRoute(
                    channel: "chat", variable: "WATCHDOG_ROUTE_CHAT",
                    entries: RouteParser.parse("always severity=warning", zoneDirectory: Self.zones).entries),
            ], tiers: ["lead"])
        let settings = DecisionSettings(
            instance: "box", collectorFailedAfter: 3, policies: .standard(cooldown: nil, processCooldown: nil),
            texts: Texts(.en), routes: routes)
        let report = reportNotification(
            ReportDue(scheduled: t0, from: t0.addingTimeInterval(-3_600), to: t0, late: false), incidents: [],
            state: EngineState(), settings: settings)
        // The warnings' channel, not the critical one's, never an escalation tier.
        #expect(report.channels == ["chat"])
    }

    @Test func historyInTheChatListsTheIncidentsAndTheSummary() throws {
        var snapshot = ChatCoreTests.snapshot()
        let now = snapshot.now
        snapshot.incidents = [
            Incident(
                id: "old", event: .resolved, at: now, key: "disk_full:/", family: "disk_full", entity: "/",
                severity: .warning, title: "Disk", startedAt: now.addingTimeInterval(-3 * 86_400),
                resolvedAt: now.addingTimeInterval(-2 * 86_400)),
            Incident(
                id: "a", event: .resolved, at: now, key: "container_down:<web>", family: "container_down",
                entity: "<web>", severity: .critical, title: "Down", startedAt: now.addingTimeInterval(-7_200),
                resolvedAt: now.addingTimeInterval(-3_600), acknowledgedBy: "@alice",
                acknowledgedAt: now.addingTimeInterval(-7_000), acknowledgedVia: "telegram"),
        ]
        let core = ChatCore(language: .en, prefix: "/", botName: "bot")
        let effects = core.handle(
            ChatInbound(
                .message(text: "/history", message: "1"), sender: ChatCoreTests.alice, place: ChatCoreTests.chat),
            snapshot)
        guard case .answer(let lines) = effects.first else {
            Issue.record("no answer: \(effects)")
            return
        }
        #expect(lines[0] == "📋 <b>1 incident</b> in the last 1d on box-1")
        #expect(
            lines[1]
                == "<code>container_down:&lt;web&gt;</code> · critical · 2027-01-15T06:00:00Z · lasted 1h · 👍 @alice after 3m 20s"
        )
        #expect(lines.contains { $0.hasPrefix("mean time to acknowledge 3m 20s (1 of 1)") })
        let week = core.handle(
            ChatInbound(
                .message(text: "/history 7d", message: "2"), sender: ChatCoreTests.alice, place: ChatCoreTests.chat),
            snapshot)
        #expect(ChatCoreTests.summary(week[0]).hasPrefix("answer 📋 <b>2 incidents</b> in the last 7d"))
        #expect(ChatCommand.parse("/history soon", botName: nil) == .invalid("not a duration: soon (e.g. 12h, 7d)"))
        #expect(ChatCommand.parse("!history 2h", botName: nil, prefix: "!") == .history(.seconds(7_200)))
        // Someone not allowed learns nothing.
        let refused = core.handle(
            ChatInbound(
                .message(text: "/history", message: "3"), sender: ChatCoreTests.mallory, place: ChatCoreTests.chat),
            snapshot)
        #expect(refused.map(ChatCoreTests.summary).contains("answer ⛔ not allowed"))
        #expect(!refused.contains { if case .answer(let lines) = $0 { lines.joined().contains("web") } else { false } })
    }
}

/// The status page (SPEC §7, §14) as the endpoint answers it, without a browser: what it
/// holds, that outside text cannot become markup, and that it can be switched off.
@Suite struct StatusPageTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func endpoint(_ status: WatchdogStatus, page: Bool = true, language: Language = .en) -> Endpoint {
        Endpoint(
            status: status, metrics: WatchdogMetrics(), heartbeats: nil, pingToken: nil, staleAfter: .seconds(60),
            channelStatistics: { [] }, wallClock: { [t0] in t0 }, monotonicNow: { .now },
            statusPage: page ? StatusPageSettings(language: language, interval: .seconds(30)) : nil)
    }

    /// A key whose entity and title try to be markup, firing, acknowledged, held behind a
    /// cause; a silence whose comment tries too; an incident log with one of each.
    func status() async throws -> WatchdogStatus {
        let log = IncidentLog(path: nil, keep: 30 * 86_400, logger: Logger(label: "test"))
        await log.start(now: t0)
        let hostile = SignalKey(.containerDown, "<script>alert(1)</script>")
        await log.record(
            [
                Incident(
                    id: "one", event: .resolved, at: t0, key: "disk_full:/data", family: "disk_full", entity: "/data",
                    severity: .warning, title: "Disk", startedAt: t0.addingTimeInterval(-7_200),
                    resolvedAt: t0.addingTimeInterval(-3_600), acknowledgedBy: "@bob",
                    acknowledgedAt: t0.addingTimeInterval(-7_000), escalatedTo: ["oncall"], announced: true),
                Incident(
                    id: "two", event: .opened, at: t0, key: hostile.description, family: "container_down",
                    entity: hostile.entity, severity: .critical, title: "\"quoted\" & <b>bold</b>",
                    startedAt: t0.addingTimeInterval(-600), inhibitedBy: ["container_down:db"]),
            ], now: t0)
        let status = WatchdogStatus(instance: "box <1>", history: log)
        var state = EngineState()
        var tracked = TrackedAlert(
            state: AlertState(firing: true, activeCount: 1, since: t0.addingTimeInterval(-600)),
            signal: Signal(
                key: hostile, active: true, severity: .critical, title: "\"quoted\" & <b>bold</b>", detail: ""))
        tracked.inhibition = Inhibition(causes: [SignalKey(.containerDown, "db")])
        state.alerts[hostile] = tracked
        // Counting towards a fire: not firing, no lane.
        let counting = SignalKey(.dependencyDown, "maybe")
        state.alerts[counting] = TrackedAlert(
            state: AlertState(firing: false, activeCount: 1, since: t0),
            signal: Signal(key: counting, active: true, severity: .critical, title: "Maybe", detail: ""))
        state.silences.acknowledgements[hostile] = Acknowledgement(by: "<img src=x>", at: t0)
        try state.silences.upsert(
            Silence(
                id: "api-1", matchers: [LabelMatcher.anyOf([SignalKey(.diskFull)])], startsAt: t0,
                endsAt: t0.addingTimeInterval(3_600), createdBy: "ops", comment: "</td><script>x</script>",
                origin: .api, updatedAt: t0), now: t0)
        status.recordTick(finishedAt: .now, state: state)
        return status
    }

    @Test func thePageHoldsWhatFiresTheSilencesTheTimelinesAndTheWeek() async throws {
        let answer = await endpoint(try await status()).respond(to: EndpointRequest(method: "GET", path: "/"))
        #expect(answer.status == 200 && answer.contentType == "text/html; charset=utf-8")
        let page = answer.body
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(page.contains(#"<meta http-equiv="refresh" content="30">"#))
        #expect(page.contains(#"<meta name="viewport""#))
        // Every outside text escaped: no tag of its own survives.
        #expect(!page.contains("<script") && !page.contains("<img") && !page.contains("<b>bold"))
        #expect(page.contains("container_down:&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.contains("&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"))
        #expect(page.contains("&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;"))
        #expect(page.contains("watchdog · box &lt;1&gt;"))
        // What fires, with its marks and /alerts' values as attributes.
        #expect(page.contains(#"data-acknowledged-by="&lt;img src=x&gt;""#))
        #expect(page.contains(#"data-inhibited-by="container_down:db""#))
        #expect(page.contains("held by container_down:db"))
        #expect(page.contains(#"data-silence="api-1""#))
        // Timelines for both keys, the escalated one outlined, the acknowledgement marked.
        #expect(page.contains(#"data-timeline="disk_full:/data""#))
        #expect(page.contains(#"class="warning escalated""#) && page.contains(#"class="ack""#))
        #expect(page.components(separatedBy: "<svg").count - 1 == 4)
        #expect(!page.contains("dependency_down:maybe"))
        // The week: both incidents and the summary.
        #expect(page.contains(#"data-incident="one""#) && page.contains(#"data-incident="two""#))
        #expect(page.contains("2 incidents: 1 critical, 1 warning; 1 still open"))
        let russian = await endpoint(try await status(), language: .ru).respond(
            to: EndpointRequest(method: "GET", path: "/"))
        #expect(russian.body.contains("Горит сейчас") && russian.body.contains("lang=\"ru\""))
    }

    @Test func switchedOffThePageIsNotFound() async throws {
        let answer = await endpoint(try await status(), page: false).respond(
            to: EndpointRequest(method: "GET", path: "/"))
        #expect(answer.status == 404)
        // The history API stays.
        let history = await endpoint(try await status(), page: false).respond(
            to: EndpointRequest(method: "GET", path: "/api/watchdog/history", query: "limit=1"))
        #expect(history.status == 200 && history.body.contains(#""total":2"#))
    }

    @Test func anEmptyPageSaysAllClear() async {
        let page = await endpoint(WatchdogStatus(instance: "box")).respond(
            to: EndpointRequest(method: "GET", path: "/"))
        #expect(page.body.contains("all clear") && page.body.contains("no incidents this week"))
    }
}
