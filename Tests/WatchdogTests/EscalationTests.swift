import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// Escalation (SPEC §4.3): the pure rules as a table with a manual clock, then through
/// the tick: tiers once and in order, reminders, every stop, the tier channels, the
/// timers across a restart, and the variables.
@Suite struct EscalationTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    static let policy = EscalationPolicy(
        tiers: [.init(after: .seconds(600), channel: "oncall"), .init(after: .seconds(1_800), channel: "lead")],
        matchers: [try! LabelMatcher(parsing: "severity=critical")], repeatEvery: .seconds(900))

    // MARK: the rules

    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        var state = EscalationState(announcedBy: "k@1:fire", deliveredAt: EscalationTests.at(0))
        var minute: Double
        var matches = true
        var acknowledged = false
        var silenced = false
        var held = false
        let steps: [EscalationStep]
        var stopped: EscalationState.Stop? = nil
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "before the first delay nothing", minute: 9.9, steps: []),
        Row(name: "at the first delay the first tier", minute: 10, steps: [.tier(0)]),
        Row(name: "not delivered: no timer", state: .init(announcedBy: "k@1:fire"), minute: 60, steps: []),
        Row(
            name: "the first tier is sent once",
            state: .init(announcedBy: "k", deliveredAt: at(0), tiersSent: 1, lastSentAt: at(10), told: ["oncall"]),
            minute: 20, steps: []),
        Row(
            name: "then the second at its delay",
            state: .init(announcedBy: "k", deliveredAt: at(0), tiersSent: 1, lastSentAt: at(10), told: ["oncall"]),
            minute: 30, steps: [.tier(1)]),
        Row(name: "a downtime past both delays sends both, in order", minute: 45, steps: [.tier(0), .tier(1)]),
        Row(
            name: "the last tier is reminded after the repeat",
            state: .init(
                announcedBy: "k", deliveredAt: at(0), tiersSent: 2, lastSentAt: at(30), told: ["oncall", "lead"]),
            minute: 45, steps: [.reminder]),
        Row(
            name: "not before the repeat",
            state: .init(
                announcedBy: "k", deliveredAt: at(0), tiersSent: 2, lastSentAt: at(30), told: ["oncall", "lead"]),
            minute: 44.9, steps: []),
        Row(name: "an acknowledgement stops it", minute: 10, acknowledged: true, steps: [], stopped: .acknowledged),
        Row(name: "a silence stops it", minute: 10, silenced: true, steps: [], stopped: .silenced),
        Row(name: "flapping holds it", minute: 10, held: true, steps: []),
        Row(name: "what the match does not take never escalates", minute: 60, matches: false, steps: []),
        Row(
            name: "once stopped it stays stopped",
            state: .init(announcedBy: "k", deliveredAt: at(0), stopped: .acknowledged), minute: 60, steps: [],
            stopped: .acknowledged),
    ]

    @Test(arguments: rows)
    func theRules(row: Row) {
        let (next, steps) = escalate(
            row.state, policy: Self.policy, now: Self.at(row.minute), matches: row.matches,
            acknowledged: row.acknowledged, silenced: row.silenced, held: row.held)
        #expect(steps == row.steps)
        #expect(next.stopped == row.stopped)
        if !steps.isEmpty { #expect(next.lastSentAt == Self.at(row.minute)) }
    }

    @Test func aTimeLineOfOneUnacknowledgedProblem() {
        var state = EscalationState(announcedBy: "k", deliveredAt: Self.at(0))
        var sent: [(Double, EscalationStep)] = []
        for minute in stride(from: 0.0, through: 80, by: 0.5) {
            let (next, steps) = escalate(
                state, policy: Self.policy, now: Self.at(minute), matches: true, acknowledged: false, silenced: false,
                held: false)
            state = next
            sent += steps.map { (minute, $0) }
        }
        #expect(sent.map(\.0) == [10, 30, 45, 60, 75])
        #expect(sent.map(\.1) == [.tier(0), .tier(1), .reminder, .reminder, .reminder])
        #expect(state.told == ["oncall", "lead"])
    }

    // MARK: through the tick

    func settings(escalation: EscalationPolicy = EscalationTests.policy) -> DecisionSettings {
        DecisionSettings(
            instance: "h", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(3_600), processCooldown: nil),
            texts: Texts(.en), routes: RouteTable(channels: ["chat", "oncall", "lead"], tiers: escalation.channels),
            escalation: escalation)
    }

    func outcome(_ active: Bool, severity: Severity = .critical) -> SourceOutcome {
        SourceOutcome(
            source: "dependencies", ownership: .families([.dependencyDown]), status: .ok,
            signals: [signal(SignalKey(.dependencyDown, "db"), active: active, severity: severity)])
    }

    /// Ticks once a minute from `from` through `to`, delivering announcing messages at
    /// once, and returns what was sent: (minute, action, channels).
    func run(
        _ state: inout EngineState, minutes: ClosedRange<Int>, settings: DecisionSettings,
        active: (Int) -> Bool = { _ in true }, severity: Severity = .critical,
        between: (Int, inout EngineState) -> Void = { _, _ in }
    ) -> [(Int, NotificationAction, [String])] {
        var sent: [(Int, NotificationAction, [String])] = []
        for minute in minutes {
            between(minute, &state)
            let evaluation = evaluateTick(
                [outcome(active(minute), severity: severity)], state: state, now: Self.at(Double(minute)),
                settings: settings)
            state = evaluation.state
            for notification in evaluation.notifications {
                sent.append((minute, notification.action, notification.channels ?? ["*"]))
                // The fire's delivery, as the outbox reports it.
                if notification.announcesProblem {
                    for (key, tracked) in state.alerts where tracked.escalation?.announcedBy == notification.id {
                        state.alerts[key]?.escalation?.deliveredAt = Self.at(Double(minute))
                    }
                }
            }
        }
        return sent
    }

    @Test func aCriticalFireReachesEachTierOnceThenTheLastIsReminded() {
        var state = EngineState()
        let sent = run(&state, minutes: 0...50, settings: settings())
        let escalations = sent.filter { $0.1 == .escalate && !$0.2.contains("chat") }
        #expect(escalations.map(\.0) == [10, 30, 45])
        #expect(escalations.map(\.2) == [["oncall"], ["lead"], ["lead"]])
        // The fire's channels hear who it went to, once per tier.
        #expect(sent.filter { $0.1 == .escalate && $0.2 == ["chat"] }.map(\.0) == [10, 30])
        // Tier channels take nothing else.
        #expect(!sent.contains { $0.1 != .escalate && ($0.2.contains("oncall") || $0.2.contains("lead")) })
    }

    @Test func theResolveReachesTheToldTiersToo() {
        var state = EngineState()
        let sent = run(&state, minutes: 0...20, settings: settings(), active: { $0 < 15 })
        #expect(sent.last?.1 == .resolve)
        #expect(sent.last?.2 == ["chat", "oncall"])
    }

    @Test func anAcknowledgementStopsItAndTheNextProblemStartsAgain() {
        var state = EngineState()
        let sent = run(
            &state, minutes: 0...70, settings: settings(), active: { $0 < 40 || $0 >= 45 },
            between: { minute, state in
                if minute == 12 {
                    state.silences.acknowledgements[SignalKey(.dependencyDown, "db")] = Acknowledgement(
                        by: "alice", at: EscalationTests.at(12))
                }
            })
        let tiers = sent.filter { $0.1 == .escalate && $0.2 != ["chat"] }
        // The first problem: tier 1 at 10, then acknowledged. The second fires at 45.
        #expect(tiers.map(\.0) == [10, 55])
    }

    @Test func aWarningNeverEscalates() {
        var state = EngineState()
        let sent = run(&state, minutes: 0...60, settings: settings(), severity: .warning)
        #expect(!sent.contains { $0.1 == .escalate })
    }

    @Test func aSilenceHoldingTheKeyWhenATierFallsDueStopsIt() throws {
        var settings = settings()
        let window = try MaintenanceParser.window(
            "daily 00:00-24:00 UTC dependency_down", number: 1, zoneDirectory: MaintenanceTests.system
        ).get()
        var state = EngineState()
        // Fired and delivered before the silence existed; the silence comes at minute 5.
        _ = run(&state, minutes: 0...4, settings: settings)
        settings.silences = ConfiguredSilences(maintenance: [window])
        let sent = run(&state, minutes: 5...60, settings: settings)
        #expect(!sent.contains { $0.1 == .escalate })
        #expect(state.alerts[SignalKey(.dependencyDown, "db")]?.escalation?.stopped == .silenced)
    }

    @Test func aRestartInTheMiddleNeitherResetsNorSendsATierTwice() throws {
        var state = EngineState()
        let before = run(&state, minutes: 0...12, settings: settings())
        // The state file, written and read back, as a restart does.
        let saved = try JSONEncoder().encode(state)
        var restored = try JSONDecoder().decode(EngineState.self, from: saved)
        restored = restored.rebased(at: Self.at(20), sources: [])
        let after = run(&restored, minutes: 20...31, settings: settings())
        let tiers = (before + after).filter { $0.1 == .escalate && $0.2 != ["chat"] }
        #expect(tiers.map(\.0) == [10, 30])
        #expect(!after.contains { $0.1 == .fire })
    }

    @Test func notDeliveredMeansNotEscalated() {
        var state = EngineState()
        var sent: [NotificationAction] = []
        for minute in 0...60 {
            let evaluation = evaluateTick(
                [outcome(true)], state: state, now: Self.at(Double(minute)), settings: settings())
            state = evaluation.state
            sent += evaluation.notifications.map(\.action)
        }
        #expect(sent == [.fire, .repeat])
    }

    /// A fire left in the state file is delivered at once after a start or a reload,
    /// before the new engine's first tick: its timer starts from that delivery all the same.
    @Test func aDeliveryBeforeTheFirstTickIsDatedAtIt() async {
        let key = SignalKey(.dependencyDown, "db")
        var state = EngineState()
        state.alerts[key] = TrackedAlert(
            state: AlertState(firing: true, since: Self.at(0)), signal: signal(key, active: true, severity: .critical),
            announced: true, escalation: EscalationState(announcedBy: "fire-1"))
        let clock = ManualClock()
        let engine = TickEngine(
            sources: [], settings: settings(), collectTimeout: .seconds(5), clock: clock, state: state)
        await engine.recordDelivered(["fire-1"], at: clock.now)
        #expect(await engine.state.alerts[key]?.escalation?.deliveredAt == nil)
        clock.advance(by: .seconds(3))
        _ = await engine.followWallClock(Self.at(1))
        #expect(await engine.state.alerts[key]?.escalation?.deliveredAt == Self.at(1).addingTimeInterval(-3))
        await engine.recordDelivered(["fire-1"], at: clock.now)
        #expect(await engine.state.alerts[key]?.escalation?.deliveredAt == Self.at(1).addingTimeInterval(-3))
    }

    // MARK: the variables

    @Test(arguments: [
        ("10m:oncall,30m:lead", [600.0, 1_800], ["oncall", "lead"]),
        ("90:phone", [90], ["phone"]),
        (" 1h : Lead ", [3_600], ["lead"]),
    ])
    func tiersParse(text: String, delays: [Double], channels: [String]) throws {
        let tiers = try EscalationPolicy.tiers(text)
        #expect(tiers.map(\.after.seconds) == delays)
        #expect(tiers.map(\.channel) == channels)
    }

    @Test(arguments: [
        ("10m", "is not DELAY:CHANNEL"),
        ("0s:oncall", "is not DELAY:CHANNEL"),
        ("10m:on-call", "is not DELAY:CHANNEL"),
        ("30m:lead,10m:oncall", "delays must grow"),
        ("10m:oncall,20m:oncall", "named twice"),
    ])
    func badTiersSayWhy(text: String, reason: String) {
        #expect {
            try EscalationPolicy.tiers(text)
        } throws: { error in
            (error as? SilenceError)?.reason.contains(reason) == true
        }
    }

    @Test func theVariablesAreCheckedAgainstTheChannels() throws {
        let base = ["WATCHDOG_NOTIFY_ONCALL": "ntfy://n/t", "WATCHDOG_CONSOLE": "true"]
        let loaded = try Configuration.load(
            process: base.merging(["WATCHDOG_ESCALATE": "10m:oncall", "WATCHDOG_COOLDOWN": "20m"]) { $1 },
            workingDirectory: nil)
        #expect(loaded.configuration.escalation.repeatEvery == .seconds(1_200))
        #expect(loaded.configuration.escalation.matchers.map(\.description) == [#"severity="critical""#])
        let once = try Configuration.load(
            process: base.merging(["WATCHDOG_ESCALATE": "10m:oncall", "WATCHDOG_ESCALATE_REPEAT": "0"]) { $1 },
            workingDirectory: nil)
        #expect(once.configuration.escalation.repeatEvery == nil)
        for (value, message) in [
            ("10m:oncal", "WATCHDOG_ESCALATE: no channel is named oncal; did you mean oncall?"),
            ("10m:oncall,20m:console", "every channel is an escalation tier"),
        ] {
            #expect {
                try Configuration.load(
                    process: base.merging(["WATCHDOG_ESCALATE": value]) { $1 }, workingDirectory: nil)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
        #expect {
            try Configuration.load(
                process: base.merging(["WATCHDOG_ESCALATE": "10m:oncall", "WATCHDOG_ROUTE_ONCALL": "always *"]) { $1 },
                workingDirectory: nil)
        } throws: { error in
            "\(error)".contains("WATCHDOG_ROUTE_ONCALL: oncall is an escalation tier")
        }
        #expect {
            try Configuration.load(
                process: base.merging(["WATCHDOG_ESCALATE_MATCH": "severity=~("]) { $1 }, workingDirectory: nil)
        } throws: { error in
            "\(error)".contains("WATCHDOG_ESCALATE_MATCH")
        }
    }
}
