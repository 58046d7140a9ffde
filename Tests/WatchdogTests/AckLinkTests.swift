import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// Ack links (SPEC §4.3): capabilities only the watchdog can make, naming one fire of one
/// key; a page that never acknowledges on GET; single use; expiry at resolve; 404 for
/// what was never issued; 429 after ten failed tries a minute from one address; and the
/// links in the channels without a chat.
@Suite struct AckLinkTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let secret = AckSecret.random()
    let key = SignalKey(.dependencyDown, "db")

    // MARK: capabilities

    @Test func aCapabilityNamesItsProblemAndOnlyItsSecretMakesOne() throws {
        let link = AckLink(key: SignalKey(.diskFull, "/var/lib/dată"), started: 1_800_000_000)
        let capability = link.capability(secret: secret)
        #expect(AckLink.verified(capability, secret: secret) == link)
        #expect(capability.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        #expect(AckLink.verified(capability, secret: .random()) == nil)
        // Every single change is refused.
        var bytes = Array(capability.utf8)
        for index in bytes.indices {
            let original = bytes[index]
            bytes[index] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(AckLink.verified(String(decoding: bytes, as: UTF8.self), secret: secret) == nil)
            bytes[index] = original
        }
        // Another problem of the same key is another link.
        #expect(AckLink(key: link.key, started: link.started + 1).capability(secret: secret) != capability)
        #expect(AckLink.verified(capability + ".", secret: secret) == nil)
        #expect(AckLink.verified(String(repeating: "A", count: 5_000), secret: secret) == nil)
        #expect(AckLink.verified("", secret: secret) == nil)
    }

    @Test func base64URLRoundTrips() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + length) % 256) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("ab+/") == nil)
    }

    @Test func theSecretIsKeptInTheStateButNeverPrinted() throws {
        let state = EngineState(ackSecret: secret)
        let decoded = try JSONDecoder().decode(EngineState.self, from: JSONEncoder().encode(state))
        #expect(decoded.ackSecret == secret)
        #expect("\(secret)" == "AckSecret(redacted)")
    }

    // MARK: the routes

    struct Fixture {
        let endpoint: Endpoint
        let engine: TickEngine<ContinuousClock>
        let status: WatchdogStatus
        let log: LogRecorder

        func call(_ method: String, _ path: String, from client: String = "192.0.2.7") async -> EndpointResponse {
            await endpoint.respond(to: EndpointRequest(method: method, path: path, client: client))
        }
    }

    func fixture(since: Date = AckLinkTests.t0) -> Fixture {
        let log = LogRecorder()
        let signal = Signal(
            key: key, active: true, severity: .critical, title: "Dependency <db> is down", detail: "503")
        let state = EngineState(
            alerts: [
                key: TrackedAlert(
                    state: AlertState(firing: true, since: since, lastNotified: since), signal: signal, announced: true)
            ], ackSecret: secret)
        let settings = DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: .seconds(1800), processCooldown: nil),
            texts: Texts(.en))
        let engine = TickEngine(
            sources: [], settings: settings, collectTimeout: .seconds(5), clock: ContinuousClock(), state: state)
        let status = WatchdogStatus(instance: "h")
        status.recordTick(finishedAt: .now, state: state)
        let store = StateStore(path: nil, engine: state, logger: log.logger(), now: { AckLinkTests.t0 })
        let keeper = EngineSilenceKeeper(engine: engine, store: store, status: status)
        let endpoint = Endpoint(
            status: status, metrics: WatchdogMetrics(), heartbeats: nil, pingToken: nil, staleAfter: .seconds(100),
            channelStatistics: { [] }, wallClock: { AckLinkTests.t0.addingTimeInterval(60) }, monotonicNow: { .now },
            ackLinks: AckLinkAPI(secret: secret, keeper: keeper, logger: log.logger()))
        return Fixture(endpoint: endpoint, engine: engine, status: status, log: log)
    }

    func path(started: Date = AckLinkTests.t0) -> String {
        "/ack/" + AckLink(key: key, started: Int64(started.timeIntervalSince1970)).capability(secret: secret)
    }

    @Test func aGetShowsOneButtonAndNeverAcknowledges() async throws {
        let fixture = fixture()
        for _ in 0..<3 {
            let page = await fixture.call("GET", path())
            #expect(page.status == 200)
            #expect(page.contentType.hasPrefix("text/html"))
            #expect(page.body.contains(#"<form method="post" action="\#(path())">"#))
            #expect(page.body.components(separatedBy: "<button").count == 2)
            #expect(page.body.contains("Dependency &lt;db&gt; is down") && !page.body.contains("<db>"))
            #expect(!page.body.contains("<script"))
        }
        #expect(await fixture.engine.state.silences.acknowledgements.isEmpty)
    }

    @Test func aPostAcknowledgesOnceThenTheLinkIsGone() async throws {
        let fixture = fixture()
        let first = await fixture.call("POST", path())
        #expect(first.status == 200)
        let acknowledgement = await fixture.engine.state.silences.acknowledgements[key]
        #expect(acknowledgement?.by == "Ack link" && acknowledgement?.via == "link")
        fixture.status.recordTick(finishedAt: .now, state: await fixture.engine.state)
        let again = await fixture.call("POST", path())
        #expect(again.status == 410)
        #expect(again.body.contains("Already acknowledged by Ack link"))
        #expect(await fixture.call("GET", path()).status == 410)
    }

    @Test func theLinkOfAnEarlierProblemOrAResolvedKeyIs410AndAForgedOne404() async throws {
        let fixture = fixture()
        #expect(await fixture.call("POST", path(started: Self.t0.addingTimeInterval(-3_600))).status == 410)
        var resolved = await fixture.engine.state
        resolved.alerts[key]?.state.firing = false
        fixture.status.recordTick(finishedAt: .now, state: resolved)
        #expect(await fixture.call("POST", path()).status == 410)
        let forged =
            "/ack/"
            + AckLink(key: key, started: Int64(Self.t0.timeIntervalSince1970)).capability(
                secret: .random())
        #expect(await fixture.call("POST", forged).status == 404)
        #expect(await fixture.call("GET", "/ack/").status == 404)
        #expect(await fixture.engine.state.silences.acknowledgements.isEmpty)
        #expect(fixture.log.text.contains("ack link refused: never issued"))
    }

    @Test func tenFailedTriesAMinuteFromOneAddressAreEnough() async throws {
        let fixture = fixture()
        for attempt in 0..<10 {
            #expect(await fixture.call("POST", "/ack/guess\(attempt).x").status == 404)
        }
        // The eleventh is refused before it is looked at, even a good one.
        #expect(await fixture.call("POST", "/ack/guess.y").status == 429)
        #expect(await fixture.call("POST", path()).status == 429)
        #expect(await fixture.engine.state.silences.acknowledgements.isEmpty)
        // Another address is not held back.
        #expect(await fixture.call("POST", path(), from: "198.51.100.1").status == 200)
        #expect(fixture.log.text.contains("ack link refused: too many failed tries"))
    }

    @Test func withoutAPublicURLThereAreNoAckRoutes() async {
        let endpoint = Endpoint(
            status: WatchdogStatus(), metrics: WatchdogMetrics(), heartbeats: nil, pingToken: nil,
            staleAfter: .seconds(100), channelStatistics: { [] }, wallClock: { Self.t0 }, monotonicNow: { .now })
        #expect(await endpoint.respond(to: EndpointRequest(method: "POST", path: path())).status == 404)
    }

    @Test func aPublicURLWithoutTheEndpointIsAStartupError() {
        #expect {
            try Configuration.load(
                process: ["WATCHDOG_PUBLIC_URL": "https://w.example", "WATCHDOG_LISTEN": "off"], workingDirectory: nil)
        } throws: { error in
            "\(error)".contains("WATCHDOG_PUBLIC_URL: Ack links need the HTTP endpoint")
        }
    }

    // MARK: in the tick and the channels

    func settings() -> DecisionSettings {
        DecisionSettings(
            instance: "h", collectorFailedAfter: 3, policies: .standard(cooldown: .seconds(600), processCooldown: nil),
            texts: Texts(.en), publicURL: "https://watchdog.example/")
    }

    func tick(_ state: EngineState, active: Bool, minute: Double) -> TickEvaluation {
        evaluateTick(
            [
                SourceOutcome(
                    source: "dependencies", ownership: .families([.dependencyDown]), status: .ok,
                    signals: [signal(key, active: active, severity: .critical)])
            ], state: state, now: Self.t0.addingTimeInterval(minute * 60), settings: settings())
    }

    @Test func firesAndRepeatsCarryTheLinkUntilTheKeyIsAcknowledgedOrResolved() throws {
        let fired = tick(EngineState(ackSecret: secret), active: true, minute: 0)
        let link = try #require(fired.notifications.first?.ackLink)
        #expect(link.hasPrefix("https://watchdog.example/ack/"))
        let capability = String(link.dropFirst("https://watchdog.example/ack/".count))
        #expect(AckLink.verified(capability, secret: secret)?.key == key)
        let repeated = tick(fired.state, active: true, minute: 10)
        #expect(repeated.notifications.first?.ackLink == link)
        var acknowledged = repeated.state
        acknowledged.silences.acknowledgements[key] = Acknowledgement(by: "a", at: Self.t0, via: "api")
        let afterAck = tick(acknowledged, active: true, minute: 11)
        #expect(afterAck.notifications.allSatisfy { $0.ackLink == nil })
        let resolved = tick(repeated.state, active: false, minute: 12)
        #expect(resolved.notifications.map(\.action) == [.resolve])
        #expect(resolved.notifications.first?.ackLink == nil)
        // Never in a report.
        let json = String(decoding: try JSONEncoder().encode(fired.notifications), as: UTF8.self)
        #expect(!json.contains("/ack/") && !json.contains(capability))
    }

    func notification(link: String?) -> AlertNotification {
        var notification = AlertNotification(
            id: "dependency_down:db@1:fire", action: .fire, severity: .critical, family: "dependency_down",
            entity: "db", title: "Dependency db is down", detail: "503", instance: "h", startedAt: Self.t0, at: Self.t0)
        notification.ackLink = link
        return notification
    }

    @Test func ntfyGetsAnHTTPActionEMailALinkAndPushoverASupplementaryURL() throws {
        let link = "https://watchdog.example/ack/abc.def"
        let ntfy = NtfyAPI.publishBody(
            topic: "t", title: "x", message: "y", priority: 5, tags: [], ackLink: link, ackLabel: "👍 Ack")
        let actions = try #require(
            (try JSONSerialization.jsonObject(with: Data(ntfy.utf8)) as? [String: Any])?["actions"] as? [[String: Any]])
        #expect(actions.count == 1)
        #expect(actions.first?["action"] as? String == "http" && actions.first?["method"] as? String == "POST")
        #expect(actions.first?["url"] as? String == link)
        #expect(
            EmailChannel.ackLine(.single(notification(link: link)), strings: .of(.en)) == "\n\n👍 Ack: \(link)")
        #expect(EmailChannel.ackLine(.single(notification(link: nil)), strings: .of(.en)) == "")
    }
}
