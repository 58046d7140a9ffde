import Foundation
import Notify
import Testing

@testable import Watchdog

/// Flapping (SPEC §4, `WATCHDOG_FLAP`): `decide()` as a sequence, and the tick's
/// notifications for a key that toggles.
@Suite struct FlappingTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let flap = FlapPolicy(changes: 4, window: .seconds(60))

    /// Feeds observations one tick (`step` seconds) apart; returns every action.
    func actions(_ observations: [Observation], policy: AlertPolicy, step: Double = 5)
        -> (actions: [AlertAction], last: AlertState)
    {
        var state = AlertState()
        var actions: [AlertAction] = []
        for (index, observation) in observations.enumerated() {
            let (action, next) = decide(
                observation, state: state, now: Self.t0.addingTimeInterval(Double(index) * step), policy: policy)
            actions.append(action)
            state = next
        }
        return (actions, state)
    }

    /// Active for two ticks, inactive for two, and so on.
    func toggling(_ ticks: Int) -> [Observation] {
        (0..<ticks).map { ($0 / 2) % 2 == 0 ? .active : .inactive }
    }

    @Test func theNthChangeBecomesOneFlappingActionAndLaterChangesAreHeld() {
        let result = actions(toggling(12), policy: AlertPolicy(repeatEvery: .seconds(10), flap: flap))
        #expect(result.actions.filter { $0 != .none } == [.fire, .resolve, .fire, .flapping])
        #expect(result.last.isFlapping)
    }

    @Test func aFlappingKeySettlesOnceAfterAWholeWindowWithoutChange() {
        // Toggle, then stay active: stable from the last change on.
        let observations = toggling(8) + Array(repeating: .active, count: 16)
        let result = actions(observations, policy: AlertPolicy(repeatEvery: nil, flap: flap))
        #expect(result.actions.filter { $0 != .none } == [.fire, .resolve, .fire, .flapping, .settled])
        // The last change was the fire at tick 8 (t0+40 s); settled a window later.
        let settledAt = result.actions.firstIndex(of: .settled).map { Double($0) * 5 }
        #expect(settledAt == 100)
        #expect(result.last.firing && !result.last.isFlapping && result.last.changes.isEmpty)
    }

    @Test func aKeyThatSettlesResolvedIsForgotten() {
        let observations = toggling(8) + Array(repeating: .inactive, count: 16)
        let result = actions(observations, policy: AlertPolicy(flap: flap))
        #expect(result.actions.filter { $0 != .none } == [.fire, .resolve, .fire, .flapping, .settled])
        #expect(result.last.isIdle)
    }

    @Test func changesOlderThanTheWindowDoNotCount() {
        // One change every 25 s: never four within 60 s.
        let observations = (0..<20).map { $0 % 2 == 0 ? Observation.active : .inactive }
        let result = actions(observations, policy: AlertPolicy(flap: flap), step: 25)
        #expect(!result.actions.contains(.flapping))
        #expect(result.actions.filter { $0 != .none }.count == 20)
    }

    @Test func repeatsAreHeldWhileFlappingAndUnknownChangesNothing() {
        let policy = AlertPolicy(repeatEvery: .seconds(5), flap: flap)
        var state = AlertState()
        for index in 0..<7 {  // fire, resolve, fire, flapping(resolve) ... ends firing
            let observation: Observation = index % 2 == 0 ? .active : .inactive
            state =
                decide(observation, state: state, now: Self.t0.addingTimeInterval(Double(index)), policy: policy).next
        }
        #expect(state.isFlapping && state.firing)
        let repeated = decide(.active, state: state, now: Self.t0.addingTimeInterval(20), policy: policy)
        #expect(repeated.action == .none)
        let unknown = decide(.unknown, state: state, now: Self.t0.addingTimeInterval(500), policy: policy)
        #expect(unknown.action == .none && unknown.next == state)
    }

    @Test func offAndEdgeFamiliesNeverFlap() {
        #expect(!actions(toggling(40), policy: AlertPolicy()).actions.contains(.flapping))
        #expect(!actions(toggling(40), policy: AlertPolicy(isEdge: true, flap: flap)).actions.contains(.flapping))
    }

    @Test(arguments: [
        ("6/30m", FlapPolicy(changes: 6, window: .seconds(1800))),
        ("4/1m", FlapPolicy(changes: 4, window: .seconds(60))),
        (" 10 / 90s ", FlapPolicy(changes: 10, window: .seconds(90))),
    ])
    func theVariableParses(text: String, policy: FlapPolicy) {
        #expect(FlapPolicy.parse(text) == (policy, true))
    }

    @Test(arguments: ["1/30m", "6", "6/", "/30m", "6/0", "x/30m", "6/30m/1", "0/1m"])
    func badValuesAreRefused(text: String) {
        #expect(FlapPolicy.parse(text).valid == false)
    }

    @Test func offDisablesIt() {
        #expect(FlapPolicy.parse("OFF") == (nil, true))
    }

    @Test func aBadValueIsAStartupErrorNamingTheVariable() {
        #expect {
            try Configuration.load(process: ["WATCHDOG_FLAP": "often"], workingDirectory: nil)
        } throws: { error in
            "\(error)".contains("WATCHDOG_FLAP") && "\(error)".contains("6/30m")
        }
    }

    // MARK: through the tick

    let key = SignalKey(.dependencyDown, "api")

    func settings(flap: FlapPolicy?) -> DecisionSettings {
        DecisionSettings(
            instance: "host-1", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(1800), processCooldown: nil, flap: flap), texts: Texts(.en))
    }

    func outcome(active: Bool) -> SourceOutcome {
        SourceOutcome(
            source: "dependencies", ownership: .families([.dependencyDown]), status: .ok,
            signals: [signal(key, active: active)])
    }

    /// The case: `WATCHDOG_FLAP=4/1m`, a key toggling every two ticks of 5 s sends
    /// three transitions and one flapping message, then one settled message once stable.
    @Test func aToggledKeySendsThreeTransitionsOneFlappingThenOneSettled() {
        var state = EngineState()
        var sent: [AlertNotification] = []
        var firingWhileFlapping: [Bool] = []
        let ticks = toggling(12) + Array(repeating: .active, count: 16)
        for (index, observation) in ticks.enumerated() {
            let evaluation = evaluateTick(
                [outcome(active: observation == .active)], state: state,
                now: Self.t0.addingTimeInterval(Double(index) * 5), settings: settings(flap: flap))
            sent += evaluation.notifications
            if evaluation.state.alerts[key]?.state.isFlapping == true {
                firingWhileFlapping.append(evaluation.firing.contains { $0.key == key.description })
            }
            state = evaluation.state
        }
        #expect(sent.map(\.action) == [.fire, .resolve, .fire, .flapping, .settled])
        #expect(sent[3].detail.contains("4 times within 1m"))
        #expect(sent[4].stillFiring && !sent[4].endsProblem)
        #expect(sent[4].detail.hasPrefix("stable again, still firing"))
        // The Alertmanager mirror keeps the key firing the whole time it flaps.
        #expect(!firingWhileFlapping.isEmpty && firingWhileFlapping.allSatisfy { $0 })
    }

    /// The Alertmanager channel posts a flapping key as firing each tick, and ends it only
    /// when it settles resolved.
    @Test func alertmanagerKeepsAFlappingKeyFiringUntilItSettlesResolved() throws {
        let channel = AlertmanagerChannel(
            baseURL: "http://127.0.0.1:1", interval: .seconds(30), post: HTTPPost(timeout: .seconds(1)))
        func notification(_ action: NotificationAction, stillFiring: Bool = false) -> AlertNotification {
            AlertNotification(
                id: "x", action: action, severity: .critical, family: "dependency_down", entity: "api", title: "t",
                detail: "d", instance: "h", startedAt: Self.t0, at: Self.t0.addingTimeInterval(600),
                stillFiring: stillFiring)
        }
        func endsAt(_ tick: TickNotifications) throws -> String? {
            let body = try #require(channel.messages(for: tick, digestAfter: 5).first?.body)
            let alerts = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
            return alerts.first?["endsAt"] as? String
        }
        let flapping = TickNotifications(
            notifications: [notification(.flapping)], firing: [notification(.fire)],
            now: Self.t0.addingTimeInterval(600))
        #expect(try endsAt(flapping) == "2027-01-15T08:14:00Z")  // firing: four intervals ahead
        let settledResolved = TickNotifications(
            notifications: [notification(.settled)], firing: [], now: Self.t0.addingTimeInterval(600))
        #expect(try endsAt(settledResolved) == "2027-01-15T08:10:00Z")  // ended now
        let settledFiring = TickNotifications(
            notifications: [notification(.settled, stillFiring: true)], firing: [], now: Self.t0.addingTimeInterval(600)
        )
        #expect(channel.messages(for: settledFiring, digestAfter: 5).isEmpty)
    }

    @Test func theFlappingAndSettledWordsExistInBothLanguages() {
        for language in Language.allCases {
            let strings = RenderStrings.of(language)
            #expect(!strings.word(for: .flapping).isEmpty && !strings.word(for: .settled).isEmpty)
            #expect(Texts(language).flappingDetail(changes: 6, window: .seconds(1800)).contains("6"))
        }
        #expect(NotificationAction.flapping.icon == "🟠" && NotificationAction.settled.icon == "⚪")
        #expect(RenderStrings.of(.ru).word(for: .flapping) != RenderStrings.of(.en).word(for: .flapping))
    }
}
