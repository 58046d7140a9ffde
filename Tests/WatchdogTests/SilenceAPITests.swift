import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// The Alertmanager-compatible routes of SPEC §7, called directly with the keeper a
/// running watchdog uses (engine, state file, status). `SilenceProcessTests` drives them
/// with the real `amtool`.
@Suite struct SilenceAPITests {
    static let token = "api-TOKEN-0123456789"
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let key = SignalKey(.dependencyDown, "api")

    struct Fixture {
        let endpoint: Endpoint
        let engine: TickEngine<ContinuousClock>
        let status: WatchdogStatus
        let statePath: String
        let log: LogRecorder
        /// Holds the state file: removed when the fixture is let go of.
        let directory: TemporaryDirectory

        func call(
            _ method: String, _ path: String, query: String? = nil, bearer: String? = SilenceAPITests.token,
            body: String? = nil
        ) async -> EndpointResponse {
            await endpoint.respond(
                to: EndpointRequest(
                    method: method, path: path, query: query, authorization: bearer.map { "Bearer \($0)" },
                    body: body.map { Array($0.utf8) }))
        }

        func json(_ response: EndpointResponse) -> Any? {
            try? JSONSerialization.jsonObject(with: Data(response.body.utf8), options: [.fragmentsAllowed])
        }

        var savedState: String { (try? String(contentsOfFile: statePath, encoding: .utf8)) ?? "" }
    }

    func fixture(token: String? = SilenceAPITests.token) async throws -> Fixture {
        let directory = try TemporaryDirectory()
        let statePath = directory.path + "/state.json"
        let log = LogRecorder()
        let signal = Signal(key: key, active: true, severity: .critical, title: "Dependency api is down", detail: "503")
        let state = EngineState(alerts: [
            key: TrackedAlert(
                state: AlertState(firing: true, since: t0, lastNotified: t0), signal: signal, announced: true)
        ])
        let settings = DecisionSettings(
            instance: "prod-a", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(1800), processCooldown: nil),
            silences: try ConfiguredSilences(mute: [SignalKey(.procBlocking)]), texts: Texts(.en))
        let engine = TickEngine(
            sources: [], settings: settings, collectTimeout: .seconds(5), clock: ContinuousClock(), state: state)
        let store = StateStore(path: statePath, engine: state, logger: log.logger(), now: { [t0] in t0 })
        await store.setEngineSource { await engine.state }
        let status = WatchdogStatus(configured: settings.silences, instance: "prod-a")
        status.recordTick(finishedAt: .now, state: state)
        let api = SilenceAPI(
            keeper: EngineSilenceKeeper(engine: engine, store: store, status: status), token: token.map(Secret.init),
            staleAfter: .seconds(100), logger: log.logger())
        let endpoint = Endpoint(
            status: status, metrics: WatchdogMetrics(), heartbeats: nil, pingToken: nil, staleAfter: .seconds(100),
            channelStatistics: { [] }, wallClock: { [t0] in t0.addingTimeInterval(60) }, monotonicNow: { .now },
            silenceAPI: api)
        return Fixture(
            endpoint: endpoint, engine: engine, status: status, statePath: statePath, log: log, directory: directory)
    }

    func silenceBody(
        matchers: String = #"[{"name":"alertname","value":"dependency_down","isRegex":false,"isEqual":true}]"#,
        startsAt: String = "2027-01-15T08:00:00.000Z", endsAt: String = "2027-01-15T10:00:00.000Z",
        id: String? = nil, comment: String = "deploy"
    ) -> String {
        let idField = id.map { #""id":"\#($0)","# } ?? ""
        return
            #"{\#(idField)"matchers":\#(matchers),"startsAt":"\#(startsAt)","endsAt":"\#(endsAt)","createdBy":"alice","comment":"\#(comment)"}"#
    }

    // MARK: who may write

    @Test func writesWithoutTheRightTokenChangeNothingAndAreLogged() async throws {
        let fixture = try await fixture()
        let body = silenceBody()
        let attempts: [(String, String?, String?)] = [
            ("no token", nil, nil), ("wrong token", "nope", nil), ("token of another length", Self.token + "x", nil),
            ("token in the query", nil, "token=\(Self.token)"),
        ]
        for (what, bearer, query) in attempts {
            let post = await fixture.call("POST", "/api/v2/silences", query: query, bearer: bearer, body: body)
            #expect(post.status == 401, "\(what)")
            let delete = await fixture.call("DELETE", "/api/v2/silence/mute-1", query: query, bearer: bearer)
            #expect(delete.status == 401, "\(what)")
        }
        #expect(await fixture.engine.state.silences.isEmpty)
        #expect(!fixture.savedState.contains("alice"))
        let listed = fixture.json(await fixture.call("GET", "/api/v2/silences", bearer: nil)) as? [[String: Any]]
        #expect(listed?.compactMap { $0["id"] as? String } == ["mute-1"])
        #expect(fixture.log.text.contains("silence change refused: missing or wrong token"))
        #expect(!fixture.log.text.contains(Self.token))
    }

    @Test func withoutAConfiguredTokenWritesAreForbidden() async throws {
        let fixture = try await fixture(token: nil)
        let post = await fixture.call("POST", "/api/v2/silences", body: silenceBody())
        #expect(post.status == 403)
        #expect((fixture.json(post) as? String)?.contains("WATCHDOG_API_TOKEN") == true)
        #expect(await fixture.call("DELETE", "/api/v2/silence/x").status == 403)
        #expect(await fixture.engine.state.silences.isEmpty)
        // Reads need no token.
        #expect(await fixture.call("GET", "/api/v2/silences", bearer: nil).status == 200)
        #expect(await fixture.call("GET", "/api/v2/alerts", bearer: nil).status == 200)
    }

    // MARK: making, reading, changing, expiring

    @Test func aPostedSilenceHoldsTheKeyIsListedAndIsInTheStateFile() async throws {
        let fixture = try await fixture()
        let created = await fixture.call("POST", "/api/v2/silences", body: silenceBody())
        #expect(created.status == 200)
        let id = try #require((fixture.json(created) as? [String: String])?["silenceID"])
        #expect(id.count == 36)
        #expect(fixture.savedState.contains(id))

        let listed = try #require(fixture.json(await fixture.call("GET", "/api/v2/silences")) as? [[String: Any]])
        let ours = try #require(listed.first { $0["id"] as? String == id })
        #expect((ours["status"] as? [String: String])?["state"] == "active")
        #expect(ours["startsAt"] as? String == "2027-01-15T08:01:00.000Z")  // a past start begins now
        #expect(ours["endsAt"] as? String == "2027-01-15T10:00:00.000Z")
        #expect(ours["createdBy"] as? String == "alice" && ours["comment"] as? String == "deploy")
        let matcher = try #require((ours["matchers"] as? [[String: Any]])?.first)
        #expect(matcher["name"] as? String == "alertname" && matcher["isEqual"] as? Bool == true)
        #expect(await fixture.call("GET", "/api/v2/silence/\(id)").status == 200)

        let alerts = try #require(fixture.json(await fixture.call("GET", "/api/v2/alerts")) as? [[String: Any]])
        let status = try #require(alerts.first?["status"] as? [String: Any])
        #expect(status["state"] as? String == "suppressed" && status["silencedBy"] as? [String] == [id])
        #expect((alerts.first?["labels"] as? [String: String])?["key"] == "dependency_down:api")
        let firing = try #require(fixture.json(await fixture.call("GET", "/alerts")) as? [[String: Any]])
        #expect(firing.first?["silenced_by"] as? [String] == [id])

        // It survives a restart: the next start reads it from the state file.
        let loaded = StateStore.loadState(
            path: fixture.statePath, logger: fixture.log.logger(), now: t0, guardsStart: false)
        #expect(loaded.engine.silences.silences.map(\.id) == [id])
    }

    @Test func updatesKeepTheIdExpiringEndsItAndConfiguredOnesCannotBeChanged() async throws {
        let fixture = try await fixture()
        let created = await fixture.call("POST", "/api/v2/silences", body: silenceBody())
        let id = try #require((fixture.json(created) as? [String: String])?["silenceID"])
        let updated = await fixture.call(
            "POST", "/api/v2/silences", body: silenceBody(endsAt: "2027-01-15T12:00:00Z", id: id))
        #expect((fixture.json(updated) as? [String: String])?["silenceID"] == id)
        #expect(await fixture.engine.state.silences.silences.map(\.endsAt) == [t0.addingTimeInterval(4 * 3600)])

        #expect(await fixture.call("POST", "/api/v2/silences", body: silenceBody(id: "no-such-id")).status == 404)
        #expect(await fixture.call("POST", "/api/v2/silences", body: silenceBody(id: "mute-1")).status == 400)
        #expect(await fixture.call("DELETE", "/api/v2/silence/no-such-id").status == 404)
        let configured = await fixture.call("DELETE", "/api/v2/silence/mute-1")
        #expect(configured.status == 400 && configured.body.contains("environment"))

        #expect(await fixture.call("DELETE", "/api/v2/silence/\(id)").status == 200)
        let expired = try #require(await fixture.engine.state.silences.silences.first)
        #expect(expired.state(at: t0.addingTimeInterval(60)) == .expired)
        let alerts = try #require(fixture.json(await fixture.call("GET", "/api/v2/alerts")) as? [[String: Any]])
        #expect((alerts.first?["status"] as? [String: Any])?["state"] as? String == "active")
        // Posting an expired silence again makes a new one, as Alertmanager does.
        let again = await fixture.call("POST", "/api/v2/silences", body: silenceBody(id: id))
        let newID = try #require((fixture.json(again) as? [String: String])?["silenceID"])
        #expect(newID != id)
    }

    @Test(arguments: [
        ("", "empty"),
        ("{not json", "not a silence"),
        (
            #"{"matchers":[],"startsAt":"2027-01-15T08:00:00Z","endsAt":"2027-01-15T10:00:00Z","createdBy":"a","comment":"c"}"#,
            "at least one matcher"
        ),
        (
            #"{"matchers":[{"name":"alertname","value":".*","isRegex":true}],"startsAt":"2027-01-15T08:00:00Z","endsAt":"2027-01-15T10:00:00Z","createdBy":"a","comment":"c"}"#,
            "must not match the empty string"
        ),
        (
            #"{"matchers":[{"name":"entity","value":"web-(","isRegex":true}],"startsAt":"2027-01-15T08:00:00Z","endsAt":"2027-01-15T10:00:00Z","createdBy":"a","comment":"c"}"#,
            "regular expression"
        ),
        (
            #"{"matchers":[{"name":"key","value":"x","isRegex":false}],"startsAt":"2027-01-15T08:00:00Z","endsAt":"2027-01-15T08:00:30Z","createdBy":"a","comment":"c"}"#,
            "in the past"
        ),
        (
            #"{"matchers":[{"name":"key","value":"x","isRegex":false}],"startsAt":"2027-01-15T11:00:00Z","endsAt":"2027-01-15T10:00:00Z","createdBy":"a","comment":"c"}"#,
            "after startsAt"
        ),
        (
            #"{"matchers":[{"name":"key","value":"x","isRegex":false}],"startsAt":"yesterday","endsAt":"2027-01-15T10:00:00Z","createdBy":"a","comment":"c"}"#,
            "startsAt"
        ),
        (
            #"{"matchers":[{"name":"key","value":"x","isRegex":false}],"startsAt":"2027-01-15T08:00:00Z","endsAt":"2027-01-15T10:00:00Z","createdBy":"a"}"#,
            "comment is missing"
        ),
        (
            #"{"matchers":[{"name":"key","value":"x","isRegex":false}],"startsAt":"2027-01-15T08:00:00Z","endsAt":"2027-01-15T10:00:00Z","comment":"c"}"#,
            "createdBy is missing"
        ),
    ])
    func badBodiesAreRefusedWithTheReason(body: String, reason: String) async throws {
        let fixture = try await fixture()
        let answer = await fixture.call("POST", "/api/v2/silences", body: body)
        #expect(answer.status == 400)
        let text = try #require(fixture.json(answer) as? String)
        #expect(text.contains(reason), "\(text)")
        #expect(await fixture.engine.state.silences.isEmpty)
    }

    @Test func matchersOverTheirByteBoundAreRefused() async throws {
        let fixture = try await fixture()
        let long = String(repeating: "x", count: 900)
        let matchers = (0..<3).map { #"{"name":"entity","value":"\#(long)\#($0)","isRegex":false}"# }
        let answer = await fixture.call(
            "POST", "/api/v2/silences", body: silenceBody(matchers: "[" + matchers.joined(separator: ",") + "]"))
        #expect(answer.status == 400 && answer.body.contains("2048 bytes together"))
    }

    @Test func aBodyOverTheBoundIsRefused() async throws {
        let fixture = try await fixture()
        let huge = silenceBody(comment: String(repeating: "x", count: SilenceAPI.maximumBodyBytes))
        let answer = await fixture.call("POST", "/api/v2/silences", body: huge)
        #expect(answer.status == 400 && answer.body.contains("over"))
    }

    @Test func alertQueriesFilterByStateAndByMatchers() async throws {
        let fixture = try await fixture()
        _ = await fixture.call("POST", "/api/v2/silences", body: silenceBody())
        func keys(_ query: String) async -> [String] {
            let answer = await fixture.call("GET", "/api/v2/alerts", query: query)
            return (fixture.json(answer) as? [[String: Any]])?.compactMap {
                ($0["labels"] as? [String: String])?["key"]
            } ?? ["error \(answer.status)"]
        }
        #expect(await keys("active=true&silenced=false") == [])
        #expect(await keys("silenced=true") == ["dependency_down:api"])
        #expect(await keys("filter=alertname%3D%22dependency_down%22") == ["dependency_down:api"])
        #expect(await keys("filter=entity%3D~%22db.*%22") == [])
        #expect(await keys("filter=severity!%3Dwarning&filter=instance%3Dprod-a") == ["dependency_down:api"])
        #expect(await fixture.call("GET", "/api/v2/alerts", query: "filter=%3D%3D").status == 400)
    }

    @Test func metricsCountSilencesInForceAndHeldNotificationsByFamily() async throws {
        let fixture = try await fixture()
        _ = await fixture.call("POST", "/api/v2/silences", body: silenceBody())
        let metrics = await fixture.call("GET", "/metrics").body
        #expect(metrics.contains("watchdog_silences_active 2"))  // mute-1 and the posted one

        let registry = WatchdogMetrics()
        let outcome = SourceOutcome(
            source: "dependencies", ownership: .families([.dependencyDown]), status: .ok,
            signals: [signal(SignalKey(.dependencyDown, "db"), active: true)])
        let settings = DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: nil, processCooldown: nil),
            silences: try ConfiguredSilences(mute: [SignalKey(.dependencyDown)]), texts: Texts(.en))
        let evaluation = evaluateTick([outcome], state: EngineState(), now: t0, settings: settings)
        let report = TickReport(
            time: t0, instance: "h", outcomes: [outcome], evaluation: evaluation, duration: .milliseconds(5))
        registry.record(report, finishedAtUnixTime: 0)
        #expect(registry.exposition().contains(#"watchdog_notifications_silenced_total{family="dependency_down"} 1"#))
    }

    @Test func acknowledgementsShowInBothAlertLists() async throws {
        let fixture = try await fixture()
        let keeper = EngineSilenceKeeper(
            engine: fixture.engine,
            store: StateStore(path: nil, engine: EngineState(), logger: fixture.log.logger(), now: { Date() }),
            status: fixture.status)
        #expect(await keeper.acknowledge(key, by: "@alice", via: "telegram", now: t0))
        #expect(
            await !keeper.acknowledge(SignalKey(.dependencyDown, "not-firing"), by: "@alice", via: "telegram", now: t0))
        let firing = try #require(fixture.json(await fixture.call("GET", "/alerts")) as? [[String: Any]])
        #expect(firing.first?["acknowledged_by"] as? String == "@alice")
        let alerts = try #require(fixture.json(await fixture.call("GET", "/api/v2/alerts")) as? [[String: Any]])
        #expect((alerts.first?["annotations"] as? [String: String])?["acknowledged_by"] == "@alice")
    }

    @Test func unknownRoutesAndMethodsAre404() async throws {
        let fixture = try await fixture()
        #expect(await fixture.call("GET", "/api/v2/status").status == 404)
        #expect(await fixture.call("PUT", "/api/v2/silences").status == 404)
        #expect(await fixture.call("GET", "/api/v2/silence/nope").status == 404)
    }

    // MARK: RFC 3339

    @Test(arguments: [
        ("2027-01-15T08:00:00Z", 1_800_000_000.0), ("2027-01-15T08:00:00.250Z", 1_800_000_000.25),
        ("2027-01-15T09:00:00+01:00", 1_800_000_000), ("2027-01-15t07:30:00-00:30", 1_800_000_000),
    ])
    func timesParse(text: String, seconds: Double) {
        #expect(RFC3339.parse(text)?.timeIntervalSince1970 == seconds)
    }

    @Test(arguments: ["2027-01-15", "2027-13-15T08:00:00Z", "2027-02-30T08:00:00Z", "2027-01-15T08:00:00", "x"])
    func badTimesAreNil(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func timesAreWrittenWithMilliseconds() {
        #expect(RFC3339.format(t0.addingTimeInterval(0.25)) == "2027-01-15T08:00:00.250Z")
        #expect(RFC3339.parse(RFC3339.format(t0)) == t0)
    }
}
