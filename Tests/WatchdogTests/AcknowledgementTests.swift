import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// Acknowledgements from anywhere (SPEC §4.3): `POST /api/watchdog/ack` and every
/// refusal, one path that records who, when and where, the note every told channel hears
/// once, and the metrics.
@Suite struct AcknowledgementTests {
    let api = SilenceAPITests()

    // MARK: POST /api/watchdog/ack

    @Test func everyRefusalChangesNothing() async throws {
        let fixture = try await api.fixture()
        let body = #"{"key":"dependency_down:api","by":"alice"}"#
        let refusals: [(String, String?, String?, Int, String)] = [
            ("no token", nil, body, 401, "missing or wrong bearer token"),
            ("wrong token", "nope", body, 401, "missing or wrong bearer token"),
            ("empty body", SilenceAPITests.token, nil, 400, "send {"),
            ("not JSON", SilenceAPITests.token, "key=x", 400, "the body is not"),
            ("nobody", SilenceAPITests.token, #"{"key":"dependency_down:api","by":"  "}"#, 400, "must say who"),
            ("a glob", SilenceAPITests.token, #"{"key":"dependency_down:*","by":"alice"}"#, 400, "not a signal key"),
            ("not firing", SilenceAPITests.token, #"{"key":"dependency_down:db","by":"alice"}"#, 404, "is not firing"),
        ]
        for (what, bearer, body, status, reason) in refusals {
            let answer = await fixture.call("POST", "/api/watchdog/ack", bearer: bearer, body: body)
            #expect(answer.status == status, "\(what)")
            #expect((fixture.json(answer) as? String)?.contains(reason) == true, "\(what): \(answer.body)")
        }
        #expect(await fixture.engine.state.silences.acknowledgements.isEmpty)
        #expect(fixture.log.text.contains("acknowledgement refused: missing or wrong token"))
        #expect(!fixture.log.text.contains(SilenceAPITests.token))
        // A GET is not a way in.
        #expect(await fixture.call("GET", "/api/watchdog/ack").status == 404)
    }

    @Test func withoutAConfiguredTokenItIsForbidden() async throws {
        let fixture = try await api.fixture(token: nil)
        let answer = await fixture.call(
            "POST", "/api/watchdog/ack", body: #"{"key":"dependency_down:api","by":"alice"}"#)
        #expect(answer.status == 403)
        #expect((fixture.json(answer) as? String)?.contains("acknowledging needs WATCHDOG_API_TOKEN") == true)
    }

    @Test func anAcknowledgementIsRecordedWithWhoWhenAndWhereAndSaved() async throws {
        let fixture = try await api.fixture()
        let answer = await fixture.call(
            "POST", "/api/watchdog/ack", body: #"{"key":"dependency_down:api","by":"alice"}"#)
        #expect(answer.status == 200)
        let body = try #require(fixture.json(answer) as? [String: String])
        #expect(body["acknowledged_by"] == "alice" && body["key"] == "dependency_down:api")
        let acknowledgement = await fixture.engine.state.silences.acknowledgements[SignalKey(.dependencyDown, "api")]
        #expect(acknowledgement?.by == "alice" && acknowledgement?.via == "api")
        #expect(fixture.savedState.contains(#""via":"api""#))
        #expect(fixture.log.text.contains("acknowledged from the API"))
    }

    // MARK: the note every told channel hears

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let key = SignalKey(.dependencyDown, "db")

    func settings() -> DecisionSettings {
        let policy = EscalationPolicy(
            tiers: [.init(after: .seconds(600), channel: "oncall")], matchers: [.everything], repeatEvery: nil)
        return DecisionSettings(
            instance: "h", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(3_600), processCooldown: nil),
            texts: Texts(.en),
            routes: RouteTable(channels: ["telegram", "ntfy", "oncall"], tiers: policy.channels),
            escalation: policy)
    }

    func tick(_ state: EngineState, minute: Double) -> TickEvaluation {
        evaluateTick(
            [
                SourceOutcome(
                    source: "dependencies", ownership: .families([.dependencyDown]), status: .ok,
                    signals: [signal(key, active: true, severity: .critical)])
            ], state: state, now: Self.t0.addingTimeInterval(minute * 60), settings: settings())
    }

    @Test(arguments: [("telegram", ["ntfy", "oncall"]), ("api", ["telegram", "ntfy", "oncall"])])
    func everyToldChannelHearsOnceWhoAcknowledgedButTheChatItCameFrom(via: String, told: [String]) {
        var state = tick(EngineState(), minute: 0).state
        state.alerts[key]?.escalation?.deliveredAt = Self.t0
        state = tick(state, minute: 10).state
        #expect(state.alerts[key]?.escalation?.told == ["oncall"])
        state.silences.acknowledgements[key] = Acknowledgement(
            by: "alice", at: Self.t0.addingTimeInterval(660), via: via)
        let acknowledged = tick(state, minute: 12)
        let notes = acknowledged.notifications.filter { $0.action == .acknowledge }
        #expect(notes.count == 1)
        #expect(notes.first?.channels == told)
        #expect(notes.first?.quiet == true)
        #expect(notes.first?.detail.contains("acknowledged by alice (\(via))") == true)
        // Once.
        #expect(!tick(acknowledged.state, minute: 13).notifications.contains { $0.action == .acknowledge })
    }

    @Test func anAcknowledgementFromAnOlderStateFileIsNotToldAgain() throws {
        var state = tick(EngineState(), minute: 0).state
        state.silences.acknowledgements[key] = Acknowledgement(by: "bob", at: Self.t0)
        var json = try #require(String(data: JSONEncoder().encode(state), encoding: .utf8))
        json = json.replacingOccurrences(of: #","acknowledgementTold":false"#, with: "")
        json = json.replacingOccurrences(of: #""acknowledgementTold":false,"#, with: "")
        let old = try JSONDecoder().decode(EngineState.self, from: Data(json.utf8))
        #expect(!tick(old, minute: 1).notifications.contains { $0.action == .acknowledge })
    }

    // MARK: metrics

    @Test func acknowledgementsAreCountedBySourceWithTheirTimeToAcknowledge() {
        let metrics = WatchdogMetrics()
        var state = tick(EngineState(), minute: 0).state
        // The first tick sees what the state file brought: counted by the run that made it.
        var earlier = state
        earlier.silences.acknowledgements[SignalKey(.dependencyDown, "old")] = Acknowledgement(by: "b", at: Self.t0)
        metrics.recordAcknowledgements(earlier)
        state.silences.acknowledgements[key] = Acknowledgement(
            by: "alice", at: Self.t0.addingTimeInterval(90), via: "api")
        metrics.recordAcknowledgements(state)
        metrics.recordAcknowledgements(state)
        let text = metrics.exposition()
        #expect(text.contains(#"watchdog_acknowledgements_total{source="api"} 1"#))
        #expect(text.contains(#"watchdog_time_to_acknowledge_seconds_bucket{le="120.0"} 1"#))
        #expect(text.contains(#"watchdog_time_to_acknowledge_seconds_bucket{le="60.0"} 0"#))
    }

    // MARK: Pushover receipts

    @Test func aReceiptIsReadAsPushoverWritesIt() {
        let acknowledged = PushoverReceipt.parse(
            Array(
                #"{"status":1,"acknowledged":1,"acknowledged_at":1800000100,"acknowledged_by":"uKEY","acknowledged_by_device":"pixel\n7","expired":0}"#
                    .utf8))
        #expect(acknowledged?.acknowledged == true && acknowledged?.device == "pixel 7")
        #expect(PushoverReceiptPoller<ContinuousClock>.acknowledger(acknowledged!) == "pixel 7 (Pushover)")
        let expired = PushoverReceipt.parse(Array(#"{"status":1,"acknowledged":0,"expired":1}"#.utf8))
        #expect(expired?.expired == true && expired?.acknowledged == false)
        #expect(PushoverReceiptPoller<ContinuousClock>.acknowledger(expired!) == "a Pushover user")
        #expect(PushoverReceipt.parse(Array(#"{"status":0,"errors":["receipt not found"]}"#.utf8)) == nil)
        #expect(PushoverReceipt.parse(Array("not json".utf8)) == nil)
    }

    @Test func onlyReceiptsOfKeysStillFiringAndUnacknowledgedAreAsked() {
        var state = tick(EngineState(), minute: 0).state
        let receipts = [
            key.description: MessageReferences.Reference(message: "r1"),
            "dependency_down:gone": MessageReferences.Reference(message: "r2"),
        ]
        let due = PushoverReceiptPoller<ContinuousClock>.due(receipts: receipts, state: state, finished: [])
        #expect(due.map(\.receipt) == ["r1"])
        #expect(PushoverReceiptPoller<ContinuousClock>.due(receipts: receipts, state: state, finished: ["r1"]).isEmpty)
        state.silences.acknowledgements[key] = Acknowledgement(by: "a", at: Self.t0, via: "api")
        #expect(PushoverReceiptPoller<ContinuousClock>.due(receipts: receipts, state: state, finished: []).isEmpty)
    }
}
