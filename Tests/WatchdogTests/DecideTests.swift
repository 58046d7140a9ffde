import Foundation
import Testing

@testable import Watchdog

/// Every rule of SPEC §4 as a row: observation, state before, policy → action, state after.
@Suite struct DecideTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let now = t0.addingTimeInterval(600)
    static let standard = AlertPolicy(fireAfter: 1, resolveAfter: 1, repeatEvery: .seconds(300))
    static let debounced = AlertPolicy(fireAfter: 3, resolveAfter: 2, repeatEvery: .seconds(300))
    static let noRepeat = AlertPolicy(fireAfter: 1, resolveAfter: 1, repeatEvery: nil)
    static let edge = AlertPolicy(isEdge: true)
    static let firingSinceT0 = AlertState(firing: true, since: t0, lastNotified: t0)

    struct Row: Sendable, CustomTestStringConvertible {
        let rule: String
        let observation: Observation
        let before: AlertState
        let policy: AlertPolicy
        let action: AlertAction
        let after: AlertState
        var testDescription: String { rule }
    }

    static let rows: [Row] = [
        Row(
            rule: "unknown changes nothing while idle", observation: .unknown, before: AlertState(),
            policy: standard, action: .none, after: AlertState()),
        Row(
            rule: "unknown changes nothing while counting", observation: .unknown,
            before: AlertState(activeCount: 2, since: t0), policy: debounced, action: .none,
            after: AlertState(activeCount: 2, since: t0)),
        Row(
            rule: "unknown changes nothing while firing", observation: .unknown,
            before: AlertState(firing: true, inactiveCount: 1, since: t0, lastNotified: t0),
            policy: debounced, action: .none,
            after: AlertState(firing: true, inactiveCount: 1, since: t0, lastNotified: t0)),
        Row(
            rule: "active fires at once when fireAfter is 1", observation: .active, before: AlertState(),
            policy: standard, action: .fire, after: AlertState(firing: true, since: now, lastNotified: now)),
        Row(
            rule: "active below fireAfter only counts and remembers the start", observation: .active,
            before: AlertState(), policy: debounced, action: .none,
            after: AlertState(activeCount: 1, since: now)),
        Row(
            rule: "active reaching fireAfter fires with the streak's start as since",
            observation: .active, before: AlertState(activeCount: 2, since: t0), policy: debounced,
            action: .fire, after: AlertState(firing: true, since: t0, lastNotified: now)),
        Row(
            rule: "active while firing before the cooldown does nothing", observation: .active,
            before: AlertState(firing: true, since: t0, lastNotified: now.addingTimeInterval(-299)),
            policy: standard, action: .none,
            after: AlertState(firing: true, since: t0, lastNotified: now.addingTimeInterval(-299))),
        Row(
            rule: "active while firing repeats exactly at the cooldown", observation: .active,
            before: AlertState(firing: true, since: t0, lastNotified: now.addingTimeInterval(-300)),
            policy: standard, action: .repeat,
            after: AlertState(firing: true, since: t0, lastNotified: now)),
        Row(
            rule: "active while firing never repeats without repeatEvery", observation: .active,
            before: firingSinceT0, policy: noRepeat, action: .none, after: firingSinceT0),
        Row(
            rule: "active while firing resets the inactive count", observation: .active,
            before: AlertState(firing: true, inactiveCount: 1, since: t0, lastNotified: now),
            policy: debounced, action: .none,
            after: AlertState(firing: true, since: t0, lastNotified: now)),
        Row(
            rule: "inactive while firing resolves when resolveAfter is 1", observation: .inactive,
            before: firingSinceT0, policy: standard, action: .resolve, after: AlertState()),
        Row(
            rule: "inactive while firing below resolveAfter only counts", observation: .inactive,
            before: firingSinceT0, policy: debounced, action: .none,
            after: AlertState(firing: true, inactiveCount: 1, since: t0, lastNotified: t0)),
        Row(
            rule: "inactive reaching resolveAfter resolves", observation: .inactive,
            before: AlertState(firing: true, inactiveCount: 1, since: t0, lastNotified: t0),
            policy: debounced, action: .resolve, after: AlertState()),
        Row(
            rule: "inactive while not firing resets the active count (no X-of-Y mixing)",
            observation: .inactive, before: AlertState(activeCount: 2, since: t0), policy: debounced,
            action: .none, after: AlertState()),
        Row(
            rule: "inactive while idle stays idle", observation: .inactive, before: AlertState(),
            policy: standard, action: .none, after: AlertState()),
        Row(
            rule: "edge fires on every occurrence and keeps no state", observation: .active,
            before: AlertState(), policy: edge, action: .fire, after: AlertState()),
        Row(
            rule: "edge inactive does nothing", observation: .inactive, before: AlertState(),
            policy: edge, action: .none, after: AlertState()),
        Row(
            rule: "edge unknown does nothing", observation: .unknown, before: AlertState(),
            policy: edge, action: .none, after: AlertState()),
    ]

    @Test(arguments: rows)
    func rule(_ row: Row) {
        let (action, after) = decide(row.observation, state: row.before, now: Self.now, policy: row.policy)
        #expect(action == row.action)
        #expect(after == row.after)
    }

    @Test func anInactiveBetweenActivesRestartsTheCount() {
        var state = AlertState()
        var actions: [AlertAction] = []
        for observation in [Observation.active, .active, .inactive, .active, .active, .active] {
            let result = decide(observation, state: state, now: Self.now, policy: Self.debounced)
            actions.append(result.action)
            state = result.next
        }
        #expect(actions == [.none, .none, .none, .none, .none, .fire])
    }

    @Test func unknownInTheMiddleOfAStreakNeitherCountsNorBreaksIt() {
        var state = AlertState()
        var actions: [AlertAction] = []
        for observation in [Observation.active, .unknown, .active, .unknown, .active] {
            let result = decide(observation, state: state, now: Self.now, policy: Self.debounced)
            actions.append(result.action)
            state = result.next
        }
        #expect(actions == [.none, .none, .none, .none, .fire])
    }

    @Test func idleMeansNeitherFiringNorCounting() {
        #expect(AlertState().isIdle)
        #expect(!AlertState(activeCount: 1).isIdle)
        #expect(!Self.firingSinceT0.isIdle)
    }
}
