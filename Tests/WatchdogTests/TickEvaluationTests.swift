import Foundation
import Notify
import Testing

@testable import Watchdog

@Suite struct TickEvaluationTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let settings = DecisionSettings(
        instance: "host-1", collectorFailedAfter: 3,
        policies: .standard(cooldown: .seconds(1800), processCooldown: .seconds(3600)),
        texts: Texts(.en))
    let containers = KeyOwnership.families([.containerDown])
    let db = SignalKey(.containerDown, "db")
    let web = SignalKey(.containerDown, "web")

    func ok(_ signals: [Signal], source: String = "docker") -> SourceOutcome {
        SourceOutcome(source: source, ownership: containers, status: .ok, signals: signals)
    }

    func failed(_ error: String = "connection refused", source: String = "docker") -> SourceOutcome {
        SourceOutcome(source: source, ownership: containers, status: .failed(error))
    }

    /// Runs ticks one second apart and returns each tick's notifications.
    func run(_ ticks: [[SourceOutcome]], settings: DecisionSettings? = nil, from state: EngineState = EngineState())
        -> (notifications: [[AlertNotification]], state: EngineState, last: TickEvaluation?)
    {
        var state = state
        var all: [[AlertNotification]] = []
        var last: TickEvaluation?
        for (index, outcomes) in ticks.enumerated() {
            let evaluation = evaluateTick(
                outcomes, state: state, now: t0.addingTimeInterval(Double(index)),
                settings: settings ?? self.settings)
            all.append(evaluation.notifications)
            state = evaluation.state
            last = evaluation
        }
        return (all, state, last)
    }

    @Test func activeSignalFiresOnceAndStaysFiringWithoutRepeatingBeforeCooldown() {
        let result = run([[ok([signal(db, active: true)])], [ok([signal(db, active: true)])]])
        #expect(result.notifications.map { $0.map(\.action) } == [[.fire], []])
        #expect(result.state.alerts[db]?.state.firing == true)
    }

    @Test func aKeyTheSourceNoLongerReportsIsResolvedAfterASuccessfulCollection() {
        let result = run([
            [ok([signal(db, active: true), signal(web, active: true)])], [ok([signal(web, active: true)])],
        ])
        let resolved = result.notifications[1]
        #expect(resolved.map(\.key) == ["container_down:db"])
        #expect(resolved.first?.action == .resolve)
        #expect(resolved.first?.detail == "no longer present")
        #expect(resolved.first?.title == "title of container_down:db")
        #expect(result.state.alerts[db] == nil)
    }

    @Test func aFailedCollectionLeavesItsKeysUnknownNeitherResolvedNorFired() {
        let result = run([[ok([signal(db, active: true)])], [failed()], [failed()]])
        #expect(result.notifications[1].isEmpty && result.notifications[2].isEmpty)
        #expect(result.state.alerts[db]?.state.firing == true)
        let decision = result.last?.decisions.first { $0.key == db }
        #expect(decision?.observation == .unknown)
        #expect(decision?.action == AlertAction.none)
    }

    @Test func aCancelledCollectionIsUnknownAndNotAFailure() {
        let cancelled = SourceOutcome(source: "docker", ownership: containers, status: .cancelled)
        let result = run([[ok([signal(db, active: true)])], [cancelled]])
        #expect(result.notifications[1].isEmpty)
        #expect(result.state.alerts[db]?.state.firing == true)
        #expect(result.state.collectors["docker"] == nil)
    }

    @Test func collectorFailedFiresOnTheNthFailureInARowAndResolvesOnSuccess() {
        let result = run([[failed()], [failed()], [failed("socket gone")], [failed()], [ok([])]])
        let actions = result.notifications.map { $0.map { "\($0.key) \($0.action.rawValue)" } }
        #expect(
            actions == [
                [], [], ["collector_failed:docker fire"], [], ["collector_failed:docker resolve"],
            ])
        let fired = result.notifications[2][0]
        #expect(fired.detail == "failed 3 ticks in a row: socket gone")
        #expect(result.state.collectors["docker"] == nil)
        #expect(result.state.alerts.isEmpty)
    }

    @Test func aSuccessBetweenFailuresRestartsTheFailureCount() {
        let result = run([[failed()], [failed()], [ok([])], [failed()], [failed()]])
        #expect(result.notifications.allSatisfy { $0.isEmpty })
        #expect(result.state.collectors["docker"]?.consecutiveFailures == 2)
    }

    @Test func mutedKeysAreDecidedButTheirNotificationsHeldAndCounted() throws {
        let muted = DecisionSettings(
            instance: "host-1", collectorFailedAfter: 3, policies: settings.policies,
            silences: try ConfiguredSilences(mute: [SignalKey(.containerDown, "db")]), texts: Texts(.en))
        let result = run([[ok([signal(db, active: true), signal(web, active: true)])]], settings: muted)
        #expect(result.notifications[0].map(\.key) == ["container_down:web"])
        #expect(result.last?.silencedByFamily == ["container_down": 1])
        #expect(result.state.alerts[db]?.state.firing == true)
        #expect(result.state.alerts[db]?.announced == false)
        #expect(result.last?.decisions.first { $0.key == db }?.held == true)
    }

    /// SPEC §4.1: when a silence ends, a key still firing whose fire was never delivered
    /// is announced once, saying since when; nothing more after that.
    @Test func unmutingAFiringKeyAnnouncesItOnceWithItsStart() throws {
        let muted = DecisionSettings(
            instance: "host-1", collectorFailedAfter: 3, policies: settings.policies,
            silences: try ConfiguredSilences(mute: [SignalKey(.containerDown)]), texts: Texts(.en))
        let first = run([[ok([signal(db, active: true)])]], settings: muted)
        #expect(first.notifications == [[]])
        let after = run([[ok([signal(db, active: true)])], [ok([signal(db, active: true)])]], from: first.state)
        #expect(after.notifications[0].map(\.action) == [.fire])
        #expect(after.notifications[0].first?.startedAt == t0)
        #expect(after.notifications[0].first?.detail.contains("held by a silence") == true)
        #expect(after.notifications[1].isEmpty)
    }

    @Test func aMutedFamilyOrGlobSilencesEveryEntityItCovers() throws {
        let silences = try ConfiguredSilences(mute: [SignalKey(.containerDown), SignalKey(.dependencyDown, "api-*")])
        let set = SilenceSet(silences.silences(at: t0))
        func held(_ key: SignalKey) -> Bool {
            !set.silencing(SilenceSet.labels(of: key, severity: .critical, instance: "h")).isEmpty
        }
        #expect(held(db) && held(web))
        #expect(held(SignalKey(.dependencyDown, "api-1")) && !held(SignalKey(.dependencyDown, "web-api")))
        #expect(!held(SignalKey(.hostMemory)))
    }

    @Test func idleStatesAreForgottenSoTheMapStaysBounded() {
        let keys = (0..<500).map { SignalKey(.containerDown, "c\($0)") }
        let result = run([[ok(keys.map { signal($0, active: true) })], [ok(keys.map { signal($0, active: false) })]])
        #expect(result.notifications[1].count == 500)
        #expect(result.state.alerts.isEmpty)
    }

    @Test func inactiveSignalsOfNeverSeenKeysLeaveNoState() {
        let result = run([[ok([signal(db, active: false)])]])
        #expect(result.state.alerts.isEmpty)
    }

    @Test func resolvedNotificationCarriesStartAndDurationAndTheRecoveryDetail() {
        let result = run([
            [ok([signal(db, active: true)])], [ok([signal(db, active: true)])],
            [ok([signal(db, active: false, detail: "running again")])],
        ])
        let resolved = result.notifications[2][0]
        #expect(resolved.startedAt == t0)
        #expect(resolved.duration == 2)
        #expect(resolved.detail == "running again")
        #expect(resolved.instance == "host-1")
        #expect(resolved.severity == .warning)
    }

    @Test func notificationIdsAreStablePerKeyAndTransition() {
        let result = run([[ok([signal(db, active: true)])], [ok([])]])
        #expect(result.notifications[0][0].id == "container_down:db@1800000000:fire")
        #expect(result.notifications[1][0].id == "container_down:db@1800000000:resolve")
    }

    @Test func edgeFamiliesFireOnEveryOccurrenceAndKeepNoState() {
        let edge = SignalKey(.jobFailed)
        let source = { (active: Bool) in
            SourceOutcome(
                source: "orchestrator", ownership: .families([.jobFailed]), status: .ok,
                signals: [signal(edge, active: active)])
        }
        let result = run([[source(true)], [source(true)], [source(false)]])
        #expect(result.notifications.map(\.count) == [1, 1, 0])
        #expect(result.state.alerts.isEmpty)
    }

    @Test func standingSignalsOfASourceThatIsNotDueStillRepeatButNeverCount() {
        let ec2 = SignalKey(.ec2State, "i-1")
        let owner = KeyOwnership.families([.ec2State])
        let fresh = SourceOutcome(source: "ec2", ownership: owner, status: .ok, signals: [signal(ec2, active: true)])
        let standing = SourceOutcome(
            source: "ec2", ownership: owner, status: .notDue, signals: [signal(ec2, active: true)])
        let quick = DecisionSettings(
            instance: "h", collectorFailedAfter: 3,
            policies: PolicyTable(standard: AlertPolicy(repeatEvery: .seconds(2))), texts: Texts(.en))
        let result = run([[fresh], [standing], [standing], [standing]], settings: quick)
        #expect(result.notifications.map { $0.map(\.action) } == [[.fire], [], [.repeat], []])

        // A standing active signal of a key that is not firing is not counted towards firing.
        let debounced = DecisionSettings(
            instance: "h", collectorFailedAfter: 3,
            policies: PolicyTable(standard: AlertPolicy(fireAfter: 2)), texts: Texts(.en))
        let counted = run([[fresh], [standing], [standing]], settings: debounced)
        #expect(counted.notifications.allSatisfy { $0.isEmpty })
        #expect(counted.state.alerts[ec2]?.state.activeCount == 1)
    }

    @Test func ownershipOfOneKeyDoesNotResolveSiblings() {
        let root = SignalKey(.diskFull, "/")
        let data = SignalKey(.diskFull, "/data")
        let rootSource = { (signals: [Signal]) in
            SourceOutcome(source: "disk:/", ownership: .key(root), status: .ok, signals: signals)
        }
        let dataFailed = SourceOutcome(source: "disk:/data", ownership: .key(data), status: .failed("gone"))
        let dataFiring = SourceOutcome(
            source: "disk:/data", ownership: .key(data), status: .ok, signals: [signal(data, active: true)])
        let result = run([[rootSource([signal(root, active: true)]), dataFiring], [rootSource([]), dataFailed]])
        #expect(result.notifications[1].map(\.key) == ["disk_full:/"])
        #expect(result.state.alerts[data]?.state.firing == true)
    }
}
