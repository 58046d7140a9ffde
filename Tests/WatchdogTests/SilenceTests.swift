import Foundation
import Notify
import Testing

@testable import Watchdog

/// SPEC §4.1 as tables: what a silence or an acknowledgement does to each action, the
/// matchers, the book's bounds, and the rules through the tick.
@Suite struct SilenceTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let rule: String
        let action: AlertAction
        var firing = true
        var flapping = false
        var announced = false
        var silenced = false
        var acknowledged = false
        var stillFiring = false
        let expected: Announcement
        let announcedAfter: Bool
        var testDescription: String { rule }
    }

    static let rows: [Row] = [
        Row(rule: "a fire goes out", action: .fire, expected: .send(quiet: false), announcedAfter: true),
        Row(rule: "a silenced fire is held", action: .fire, silenced: true, expected: .silenced, announcedAfter: false),
        Row(
            rule: "a repeat goes out", action: .repeat, announced: true, expected: .send(quiet: false),
            announcedAfter: true),
        Row(
            rule: "a silenced repeat is held", action: .repeat, announced: true, silenced: true, expected: .silenced,
            announcedAfter: true),
        Row(
            rule: "an acknowledged key's repeat is held", action: .repeat, announced: true, acknowledged: true,
            expected: .acknowledged, announcedAfter: true),
        Row(
            rule: "the resolve of an announced fire goes out", action: .resolve, firing: false, announced: true,
            expected: .send(quiet: false), announcedAfter: false),
        Row(
            rule: "the resolve of an announced fire goes out while silenced, quietly", action: .resolve,
            firing: false, announced: true, silenced: true, expected: .send(quiet: true), announcedAfter: false),
        Row(
            rule: "the resolve of an acknowledged key goes out", action: .resolve, firing: false, announced: true,
            acknowledged: true, expected: .send(quiet: false), announcedAfter: false),
        Row(
            rule: "fired and resolved inside a silence: nothing", action: .resolve, firing: false, silenced: true,
            expected: .nothing, announcedAfter: false),
        Row(
            rule: "a held fire resolving after the silence ended: nothing", action: .resolve, firing: false,
            expected: .nothing, announcedAfter: false),
        Row(
            rule: "silence over, still firing, never announced: announced once", action: .none,
            expected: .lateFire, announcedAfter: true),
        Row(
            rule: "a due repeat of a never-announced key is its late fire", action: .repeat, expected: .lateFire,
            announcedAfter: true),
        Row(
            rule: "still silenced: nothing", action: .none, silenced: true, expected: .nothing,
            announcedAfter: false),
        Row(
            rule: "announced and quiet: nothing", action: .none, announced: true, expected: .nothing,
            announcedAfter: true),
        Row(
            rule: "flapping keys wait for their settled message", action: .none, flapping: true, expected: .nothing,
            announcedAfter: false),
        Row(
            rule: "the flapping notice goes out", action: .flapping, expected: .send(quiet: false),
            announcedAfter: true),
        Row(
            rule: "a silenced flapping notice is held", action: .flapping, silenced: true, expected: .silenced,
            announcedAfter: false),
        Row(
            rule: "settled still firing goes out", action: .settled, announced: true, stillFiring: true,
            expected: .send(quiet: false), announcedAfter: true),
        Row(
            rule: "settled resolved ends an announced problem even while silenced", action: .settled,
            firing: false, announced: true, silenced: true, expected: .send(quiet: true), announcedAfter: false),
        Row(
            rule: "settled resolved of a never-announced key while silenced: held", action: .settled, firing: false,
            silenced: true, expected: .silenced, announcedAfter: false),
    ]

    @Test(arguments: rows)
    func announcementRule(_ row: Row) {
        let result = announcement(
            for: row.action, firing: row.firing, flapping: row.flapping, announced: row.announced,
            silenced: row.silenced, acknowledged: row.acknowledged, settledStillFiring: row.stillFiring)
        #expect(result.announcement == row.expected)
        #expect(result.announced == row.announcedAfter)
    }

    // MARK: matchers

    static let labels = SilenceSet.labels(
        of: SignalKey(.containerDown, "web-1"), severity: .critical, instance: "prod-a")

    @Test(arguments: [
        ("alertname", LabelMatcher.Operator.equal, "container_down", true),
        ("alertname", .notEqual, "container_down", false),
        ("key", .equal, "container_down:web-1", true),
        ("entity", .matchesRegex, "web-.*", true),
        ("entity", .matchesRegex, "web", false),  // anchored, as in Alertmanager
        ("entity", .notMatchesRegex, "db|cache", true),
        ("severity", .matchesRegex, "warning|critical", true),
        ("instance", .equal, "prod-b", false),
        ("team", .equal, "", true),  // a missing label reads as empty
        ("team", .notEqual, "", false),
    ])
    func labelMatchers(name: String, op: LabelMatcher.Operator, value: String, matches: Bool) throws {
        let matcher = try LabelMatcher(name: name, op: op, value: value)
        #expect(CompiledMatcher(matcher).matches(Self.labels) == matches)
    }

    @Test(arguments: [("", "x"), ("1abc", "x"), ("a-b", "x"), (String(repeating: "a", count: 101), "x")])
    func badLabelNamesAreRefused(name: String, value: String) {
        #expect(throws: SilenceError.self) { try LabelMatcher(name: name, op: .equal, value: value) }
    }

    @Test func aRegexThatDoesNotParseOrAnOverlongValueIsRefusedWithTheReason() {
        #expect { try LabelMatcher(name: "entity", op: .matchesRegex, value: "web-(") } throws: { error in
            "\(error)".contains("regular expression")
        }
        #expect(throws: SilenceError.self) {
            try LabelMatcher(name: "entity", op: .equal, value: String(repeating: "x", count: 1_001))
        }
    }

    @Test func muteEntriesBecomeMatchers() {
        #expect(LabelMatcher.forKey(SignalKey(.procBlocking)).description == #"alertname="proc_blocking""#)
        #expect(LabelMatcher.forKey(SignalKey(.containerDown, "db")).description == #"key="container_down:db""#)
        #expect(
            LabelMatcher.forKey(SignalKey(.containerDown, "web.*")).description == #"key=~"container_down:web\..*""#)
    }

    // MARK: the book

    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func silence(_ id: String, from start: Double = 0, to end: Double? = 3600) throws -> Silence {
        try Silence(
            id: id, matchers: [LabelMatcher.forKey(SignalKey(.containerDown))], startsAt: t0.addingTimeInterval(start),
            endsAt: end.map { t0.addingTimeInterval($0) }, createdBy: "alice", comment: "deploy", origin: .api,
            updatedAt: t0)
    }

    @Test func aFullBookLetsGoOfTheOldestExpiredSilenceAndRefusesWhenAllLive() throws {
        var book = SilenceBook()
        for index in 0..<SilenceBook.capacity {
            try book.upsert(silence("s\(index)", to: index < 2 ? Double(10 + index) : 3600), now: t0)
        }
        let now = t0.addingTimeInterval(60)
        try book.upsert(silence("new"), now: now)
        #expect(book.silences.count == SilenceBook.capacity)
        #expect(!book.silences.contains { $0.id == "s0" } && book.silences.contains { $0.id == "s1" })
        try book.upsert(silence("newer"), now: now)
        #expect(throws: SilenceError.self) { try book.upsert(silence("one too many"), now: now) }
        // Updating an existing one is always possible.
        try book.upsert(silence("s5", to: 7200), now: now)
        #expect(book.silences.first { $0.id == "s5" }?.endsAt == t0.addingTimeInterval(7200))
    }

    @Test func expiredSilencesAreDroppedADayAfterTheirEndAndAcksWithTheirFire() throws {
        var book = SilenceBook()
        try book.upsert(silence("ended"), now: t0)
        try book.upsert(silence("standing", to: nil), now: t0)
        book.acknowledgements[SignalKey(.containerDown, "db")] = Acknowledgement(by: "alice", at: t0)
        book.acknowledgements[SignalKey(.containerDown, "web")] = Acknowledgement(by: "bob", at: t0)
        let dayAfter = t0.addingTimeInterval(3600 + 24 * 3600)
        let kept = book.pruned(now: dayAfter.addingTimeInterval(-1), firing: [SignalKey(.containerDown, "db")])
        #expect(kept.silences.map(\.id) == ["ended", "standing"])
        #expect(kept.acknowledgements.keys.map(\.description) == ["container_down:db"])
        #expect(book.pruned(now: dayAfter, firing: []).silences.map(\.id) == ["standing"])
    }

    @Test func expiringEndsASilenceNowOnceAndUnknownIdsAreRefused() throws {
        var book = SilenceBook()
        try book.upsert(silence("a"), now: t0)
        try book.upsert(silence("later", from: 600), now: t0)
        let now = t0.addingTimeInterval(60)
        let expired = book.expire(id: "a", now: now)
        #expect(expired)
        #expect(book.silences[0].state(at: now) == .expired)
        let again = book.expire(id: "a", now: now)
        let unknown = book.expire(id: "nope", now: now)
        #expect(!again && !unknown)
        let pending = book.expire(id: "later", now: now)
        #expect(pending)
        #expect(book.silences[1].startsAt == now && book.silences[1].state(at: now) == .expired)
    }

    @Test func aStateFileWithoutSilencesLoadsAndOneWithTooManyIsCut() throws {
        let old = #"{"alerts":{},"collectors":{},"samples":{}}"#
        let state = try JSONDecoder().decode(EngineState.self, from: Data(old.utf8))
        #expect(state.silences.isEmpty)
        var many = SilenceBook()
        many.silences = try (0..<1_200).map { try silence("s\($0)") }
        let encoder = JSONEncoder()
        let decoded = try JSONDecoder().decode(SilenceBook.self, from: encoder.encode(many))
        #expect(decoded.silences.count == SilenceBook.capacity)
    }

    // MARK: through the tick

    let db = SignalKey(.containerDown, "db")
    let settings = DecisionSettings(
        instance: "host-1", collectorFailedAfter: 3,
        policies: .standard(cooldown: .seconds(30), processCooldown: nil), texts: Texts(.en))

    func tick(_ active: Bool?, _ state: EngineState, at seconds: Double) -> TickEvaluation {
        let outcome =
            active.map {
                SourceOutcome(
                    source: "docker", ownership: .families([.containerDown]), status: .ok,
                    signals: [signal(db, active: $0)])
            } ?? SourceOutcome(source: "docker", ownership: .families([.containerDown]), status: .failed("down"))
        return evaluateTick([outcome], state: state, now: t0.addingTimeInterval(seconds), settings: settings)
    }

    func withSilence(_ state: EngineState, from start: Double = 0, to end: Double) -> EngineState {
        var state = state
        try? state.silences.upsert(silence("quiet", from: start, to: end), now: t0)
        return state
    }

    @Test func aResolveOfAnAnnouncedFireArrivesWhileSilencedWithoutSound() {
        let fired = tick(true, EngineState(), at: 0)
        #expect(fired.notifications.map(\.action) == [.fire])
        let silenced = withSilence(fired.state, to: 3600)
        let repeatHeld = tick(true, silenced, at: 60)
        #expect(repeatHeld.notifications.isEmpty && repeatHeld.silencedCount == 1)
        let resolved = tick(false, repeatHeld.state, at: 90)
        #expect(resolved.notifications.map(\.action) == [.resolve])
        #expect(resolved.notifications.first?.quiet == true)
    }

    @Test func aFireAndResolveInsideASilenceSendNothingThenOrAfter() {
        let silenced = withSilence(EngineState(), to: 100)
        let fired = tick(true, silenced, at: 0)
        let resolved = tick(false, fired.state, at: 10)
        let after = tick(false, resolved.state, at: 200)
        #expect(fired.notifications.isEmpty && resolved.notifications.isEmpty && after.notifications.isEmpty)
        #expect(fired.silencedCount == 1 && resolved.silencedCount == 0)
    }

    @Test func theEndOfASilenceAnnouncesAStillFiringKeyOnceEvenWhenItsSourceDidNotRun() {
        let silenced = withSilence(EngineState(), to: 100)
        let fired = tick(true, silenced, at: 0)
        #expect(fired.firing.isEmpty)  // never announced: not mirrored either
        let stillHeld = tick(true, fired.state, at: 50)
        #expect(stillHeld.notifications.isEmpty)
        // The silence is over; the source failed this tick, the key is still firing.
        let over = tick(nil, stillHeld.state, at: 100)
        #expect(over.notifications.map(\.action) == [.fire])
        #expect(over.notifications.first?.startedAt == t0)
        #expect(over.firing.map(\.key) == ["container_down:db"])
        let next = tick(true, over.state, at: 110)
        #expect(next.notifications.isEmpty)
    }

    @Test func anAcknowledgementStopsRepeatsUntilTheKeyResolvesAndIsThenForgotten() {
        let fired = tick(true, EngineState(), at: 0)
        var acknowledged = fired.state
        acknowledged.silences.acknowledgements[db] = Acknowledgement(by: "alice", at: t0)
        let noRepeat = tick(true, acknowledged, at: 60)
        // No repeat; the one note that says who acknowledged it (SPEC §4.3).
        #expect(noRepeat.notifications.map(\.action) == [.acknowledge] && noRepeat.silencedCount == 0)
        #expect(noRepeat.decisions.first { $0.key == db }?.held == true)
        let resolved = tick(false, noRepeat.state, at: 70)
        #expect(resolved.notifications.map(\.action) == [.resolve])
        #expect(resolved.state.silences.acknowledgements.isEmpty)
        let again = tick(true, resolved.state, at: 80)
        #expect(again.notifications.map(\.action) == [.fire])
    }

    /// A reload can give `mute-1` other matchers: a key it held is asked again, and
    /// announced once now that nothing holds it.
    @Test func aKeyHeldByAStandingSilenceIsReleasedWhenAReloadChangesIt() throws {
        func settings(mute: SignalFamily) throws -> DecisionSettings {
            DecisionSettings(
                instance: "host-1", collectorFailedAfter: 3, policies: self.settings.policies,
                silences: try ConfiguredSilences(mute: [SignalKey(mute)]), texts: Texts(.en))
        }
        let outcome = SourceOutcome(
            source: "docker", ownership: .families([.containerDown]), status: .ok, signals: [signal(db, active: true)])
        let held = evaluateTick([outcome], state: EngineState(), now: t0, settings: try settings(mute: .containerDown))
        let stillHeld = evaluateTick(
            [outcome], state: held.state, now: t0.addingTimeInterval(1), settings: try settings(mute: .containerDown))
        #expect(held.notifications.isEmpty && stillHeld.notifications.isEmpty)
        #expect(stillHeld.state.alerts[db]?.heldBy?.id == "mute-1")
        let reloaded = evaluateTick(
            [outcome], state: stillHeld.state, now: t0.addingTimeInterval(2),
            settings: try settings(mute: .procBlocking))
        #expect(reloaded.notifications.map(\.action) == [.fire])
    }

    @Test func aPendingSilenceHoldsNothingYet() {
        let pending = withSilence(EngineState(), from: 60, to: 120)
        #expect(tick(true, pending, at: 0).notifications.map(\.action) == [.fire])
    }
}
