import Foundation
import Notify
import Testing

@testable import Watchdog

/// SPEC §4.2 through the tick: one message per root cause. A database container `db`
/// that the container `api` depends on (compose), and a probe `db-http` of its host.
@Suite struct CauseEvaluationTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let db = SignalKey(.containerDown, "p-db-1")
    let api = SignalKey(.containerDown, "p-api-1")
    let probe = SignalKey(.dependencyDown, "db-http")
    static let places: [String: ContainerPlace] = [
        "p-db-1": ContainerPlace(project: "p", service: "db", names: ["p-db-1", "db"]),
        "p-api-1": ContainerPlace(project: "p", service: "api", dependsOn: ["db"], names: ["p-api-1", "api"]),
    ]

    func settings(escalation: EscalationPolicy = .off) -> DecisionSettings {
        DecisionSettings(
            instance: "h", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(3_600), processCooldown: nil), texts: Texts(.en),
            routes: RouteTable(channels: ["chat", "oncall"], tiers: escalation.channels), escalation: escalation,
            causes: CauseRules(dependencyHosts: ["db-http": "db"]))
    }

    /// The Docker source's outcome: which of the two containers are down.
    func docker(db dbDown: Bool, api apiDown: Bool) -> SourceOutcome {
        var places: [String: ContainerPlace] = [:]
        if dbDown { places["p-db-1"] = Self.places["p-db-1"] }
        if apiDown { places["p-api-1"] = Self.places["p-api-1"] }
        return SourceOutcome(
            source: "docker", ownership: .families([.containerDown]), status: .ok,
            signals: [
                signal(db, active: dbDown, severity: .critical), signal(api, active: apiDown, severity: .critical),
            ],
            places: places)
    }

    func probe(down: Bool) -> SourceOutcome {
        SourceOutcome(
            source: "dependencies", ownership: .families([.dependencyDown]), status: .ok,
            signals: [signal(probe, active: down, severity: .critical)])
    }

    struct Tick {
        let notifications: [AlertNotification]
        let evaluation: TickEvaluation
        var lines: [String] { notifications.map { "\($0.action.icon) \($0.key)" } }
    }

    /// Runs ticks a minute apart.
    func run(_ ticks: [[SourceOutcome]], settings: DecisionSettings? = nil) -> [Tick] {
        var state = EngineState()
        var out: [Tick] = []
        for (index, outcomes) in ticks.enumerated() {
            let evaluation = evaluateTick(
                outcomes, state: state, now: t0.addingTimeInterval(Double(index) * 60),
                settings: settings ?? self.settings())
            out.append(Tick(notifications: evaluation.notifications, evaluation: evaluation))
            state = evaluation.state
        }
        return out
    }

    @Test func aCrashWithItsEffectsInOneTickIsOneMessageNamingThem() throws {
        let ticks = run([[docker(db: true, api: true), probe(down: true)]])
        #expect(ticks[0].lines == ["🔴 container_down:p-db-1"])
        let fire = try #require(ticks[0].notifications.first)
        #expect(fire.detail.hasSuffix("also affected: p-api-1 (container down), db-http (dependency down)"))
        #expect(ticks[0].evaluation.inhibitedByFamily == ["container_down": 1, "dependency_down": 1])
        let state = ticks[0].evaluation.state
        #expect(state.alerts[api]?.inhibition == Inhibition(causes: [db]))
        #expect(state.alerts[probe]?.inhibition == Inhibition(causes: [db]))
        #expect(state.alerts[api]?.announced == false && state.alerts[db]?.announced == true)
        let decision = ticks[0].evaluation.decisions.first { $0.key == api }
        #expect(decision?.action == .fire && decision?.held == true)
    }

    @Test func anEffectSeenLaterUpdatesTheCausesMessageOncePerTick() throws {
        let ticks = run([
            [docker(db: true, api: false), probe(down: false)],
            [docker(db: true, api: true), probe(down: true)],
            [docker(db: true, api: true), probe(down: true)],
        ])
        #expect(ticks.map(\.lines) == [["🔴 container_down:p-db-1"], ["🔗 container_down:p-db-1"], []])
        let update = try #require(ticks[1].notifications.first)
        #expect(update.detail == "also affected: p-api-1 (container down), db-http (dependency down)")
        #expect(update.quiet)
        // The fire as it now reads, for the channels that rewrite it.
        #expect(
            update.fireDetail == "detail\nalso affected: p-api-1 (container down), db-http (dependency down)")
    }

    @Test func theCausesResolveSaysWhatRecoveredWithIt() throws {
        let ticks = run([
            [docker(db: true, api: true), probe(down: true)],
            [docker(db: false, api: false), probe(down: false)],
            [docker(db: false, api: false), probe(down: false)],
        ])
        #expect(ticks.map(\.lines) == [["🔴 container_down:p-db-1"], ["🟢 container_down:p-db-1"], []])
        let resolve = try #require(ticks[1].notifications.first)
        #expect(resolve.detail.hasSuffix("recovered with it: p-api-1 (container down), db-http (dependency down)"))
        #expect(ticks[2].evaluation.state.alerts.isEmpty)
    }

    @Test func anEffectThatRecoversWhileHeldSendsNothing() throws {
        let ticks = run([
            [docker(db: true, api: true), probe(down: false)],
            [docker(db: true, api: false), probe(down: false)],
            [docker(db: false, api: false), probe(down: false)],
        ])
        #expect(ticks.map(\.lines) == [["🔴 container_down:p-db-1"], [], ["🟢 container_down:p-db-1"]])
        #expect(ticks[2].notifications.first?.detail.hasSuffix("recovered with it: p-api-1 (container down)") == true)
    }

    @Test func anEffectStillFiringATickAfterItsCauseRecoveredIsAnnouncedThen() throws {
        let ticks = run([
            [docker(db: true, api: true), probe(down: false)],
            [docker(db: false, api: true), probe(down: false)],
            [docker(db: false, api: true), probe(down: false)],
            [docker(db: false, api: true), probe(down: false)],
        ])
        #expect(
            ticks.map(\.lines) == [
                ["🔴 container_down:p-db-1"], ["🟢 container_down:p-db-1"], ["🔴 container_down:p-api-1"], [],
            ])
        #expect(ticks[1].notifications.first?.detail.contains("not yet recovered: p-api-1 (container down)") == true)
        let late = try #require(ticks[2].notifications.first)
        #expect(late.detail.contains("held behind p-db-1 (container down) until it recovered"))
        #expect(late.detail.contains("firing since 2027-01-15T08:00:00Z"))
        #expect(ticks[2].evaluation.state.alerts[api]?.inhibition == nil)
        #expect(ticks[2].evaluation.state.alerts[api]?.announced == true)
    }

    /// An effect gets a tick's interval to recover after its cause: a healthcheck or a
    /// probe runs again only so often, and events re-judge containers in between.
    @Test func aReleasedEffectIsGivenAnIntervalToRecover() {
        var slow = settings()
        slow.causeReleaseAfter = .seconds(120)
        let ticks = run(
            [
                [docker(db: true, api: true), probe(down: false)],
                [docker(db: false, api: true), probe(down: false)],
                [docker(db: false, api: true), probe(down: false)],
                [docker(db: false, api: true), probe(down: false)],
            ], settings: slow)
        #expect(
            ticks.map(\.lines) == [
                ["🔴 container_down:p-db-1"], ["🟢 container_down:p-db-1"], [], ["🔴 container_down:p-api-1"],
            ])
    }

    /// What starts firing in a cause's wake (within an interval of its end) is held as if
    /// it had fired with it: a healthcheck that fails once more as the database comes back.
    @Test func whatFiresInACausesWakeIsHeldForAnInterval() {
        var slow = settings()
        slow.causeReleaseAfter = .seconds(120)
        let recovers = run(
            [
                [docker(db: true, api: false), probe(down: false)],
                [docker(db: false, api: false), probe(down: true)],
                [docker(db: false, api: false), probe(down: false)],
                [docker(db: false, api: false), probe(down: false)],
            ], settings: slow)
        #expect(recovers.map(\.lines) == [["🔴 container_down:p-db-1"], ["🟢 container_down:p-db-1"], [], []])
        #expect(recovers[1].evaluation.inhibitedByFamily == ["dependency_down": 1])
        let stays = run(
            [
                [docker(db: true, api: false), probe(down: false)],
                [docker(db: false, api: false), probe(down: true)],
                [docker(db: false, api: false), probe(down: true)],
                [docker(db: false, api: false), probe(down: true)],
                [docker(db: false, api: false), probe(down: true)],
            ], settings: slow)
        #expect(
            stays.map(\.lines) == [
                ["🔴 container_down:p-db-1"], ["🟢 container_down:p-db-1"], [], ["🔴 dependency_down:db-http"], [],
            ])
        #expect(stays[3].notifications.first?.detail.contains("held behind p-db-1 (container down)") == true)
        // Long after, the same effect is an ordinary fire.
        #expect(stays[4].evaluation.state.recentlyResolved.isEmpty)
    }

    /// A cause of many effects names 20, counts the rest, and keeps at most 100; a steady
    /// tick after adds nothing, and more effects later are one update counting them.
    @Test func aCauseOfManyEffectsNamesTwentyAndCountsTheRest() throws {
        func outcome(dependents: Int) -> SourceOutcome {
            var places = ["p-db-1": Self.places["p-db-1"]!]
            var signals = [signal(db, active: true, severity: .critical)]
            for index in 0..<dependents {
                let name = "p-w\(1000 + index)-1"
                places[name] = ContainerPlace(project: "p", service: "w\(index)", dependsOn: ["db"], names: [name])
                signals.append(signal(SignalKey(.containerDown, name), active: true, severity: .critical))
            }
            return SourceOutcome(
                source: "docker", ownership: .families([.containerDown]), status: .ok, signals: signals,
                places: places)
        }
        let ticks = run([[outcome(dependents: 130)], [outcome(dependents: 130)], [outcome(dependents: 140)]])
        #expect(ticks.map(\.lines) == [["🔴 container_down:p-db-1"], [], ["🔗 container_down:p-db-1"]])
        let fire = try #require(ticks[0].notifications.first)
        #expect(fire.detail.contains("p-w1019-1 (container down) and 110 more"))
        #expect(!fire.detail.contains("p-w1020-1"))
        #expect(ticks[0].evaluation.inhibitedByFamily == ["container_down": 130])
        let book = try #require(ticks[2].evaluation.state.alerts[db]?.effects)
        #expect(book.effects.count == CauseEffects.kept && book.uncounted == 40)
        #expect(ticks[2].notifications.first?.detail == "also affected: 10 more")
    }

    /// Between ticks, Docker's events re-judge containers alone: a probe that did not run
    /// again since its cause recovered is not announced on the strength of its old reading.
    @Test func aReleasedEffectWaitsForItsOwnNextReading() {
        let ticks = run([
            [docker(db: true, api: false), probe(down: true)],
            [docker(db: false, api: false)],
            [docker(db: false, api: false)],
            [docker(db: false, api: false)],
            [docker(db: false, api: false), probe(down: true)],
        ])
        #expect(
            ticks.map(\.lines) == [
                ["🔴 container_down:p-db-1"], ["🟢 container_down:p-db-1"], [], [], ["🔴 dependency_down:db-http"],
            ])
    }

    @Test func anEffectAnnouncedBeforeItsCauseStaysAnnouncedAndIsListed() throws {
        let ticks = run([
            [docker(db: false, api: true), probe(down: false)],
            [docker(db: true, api: true), probe(down: false)],
            [docker(db: false, api: false), probe(down: false)],
        ])
        #expect(
            ticks.map(\.lines) == [
                ["🔴 container_down:p-api-1"], ["🔴 container_down:p-db-1"],
                ["🟢 container_down:p-api-1", "🟢 container_down:p-db-1"],
            ])
        #expect(ticks[1].notifications[0].detail.hasSuffix("also firing (seen first): p-api-1 (container down)"))
        #expect(ticks[1].evaluation.state.alerts[api]?.inhibition == nil)
        // Its own resolve tells of it; the cause's names no held effect.
        #expect(!ticks[2].notifications[1].detail.contains("recovered with it"))
    }

    @Test func anInhibitedEffectNeverEscalates() throws {
        let policy = EscalationPolicy(
            tiers: [.init(after: .seconds(60), channel: "oncall")], matchers: [], repeatEvery: nil)
        let ticks = run(
            [
                [docker(db: true, api: true), probe(down: true)],
                [docker(db: true, api: true), probe(down: true)],
                [docker(db: true, api: true), probe(down: true)],
            ], settings: settings(escalation: policy))
        let state = ticks[2].evaluation.state
        #expect(state.alerts[db]?.escalation != nil)
        #expect(state.alerts[api]?.escalation == nil && state.alerts[probe]?.escalation == nil)
        // The cause escalated (its fire's delivery was not reported: it counts from the fire).
        let escalated = ticks.flatMap(\.notifications).filter { $0.action == .escalate }.map(\.key)
        #expect(!escalated.contains(api.description) && !escalated.contains(probe.description))
    }

    @Test func aSilencedCauseStillHoldsItsEffects() {
        var silenced = settings()
        silenced.silences = try! ConfiguredSilences(mute: [db])
        let ticks = run([[docker(db: true, api: true), probe(down: true)]], settings: silenced)
        #expect(ticks[0].lines.isEmpty)
        #expect(ticks[0].evaluation.silencedByFamily == ["container_down": 1])
        #expect(ticks[0].evaluation.inhibitedByFamily == ["container_down": 1, "dependency_down": 1])
    }
}
