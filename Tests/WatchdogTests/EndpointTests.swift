import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// The routes of SPEC §7, called directly; `HTTPEndpointTests` runs them over HTTP.
@Suite struct EndpointTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func endpoint(
        token: String? = nil, status: WatchdogStatus = WatchdogStatus(), staleAfter: Duration = .seconds(60),
        board: HeartbeatBoard = HeartbeatBoard(names: ["backup"], monotonicNow: { .seconds(7) }),
        statistics: [ChannelStatistics] = []
    ) -> Endpoint {
        Endpoint(
            status: status, metrics: WatchdogMetrics(), heartbeats: board, pingToken: token.map(Secret.init),
            staleAfter: staleAfter, channelStatistics: { statistics }, wallClock: { [t0] in t0 },
            monotonicNow: { .now })
    }

    @Test func healthIsStartingBeforeTheFirstTickThenOkThenStale() async throws {
        let status = WatchdogStatus()
        let endpoint = endpoint(status: status, staleAfter: .seconds(5))
        let starting = await endpoint.respond(to: .init(method: "GET", path: "/healthz"))
        #expect(starting == .json(503, #"{"status":"starting"}"#))

        status.recordTick(finishedAt: .now, state: EngineState())
        let ok = await endpoint.respond(to: .init(method: "GET", path: "/healthz"))
        #expect(ok.status == 200)
        #expect(ok.body.hasPrefix(#"{"last_tick_age_s":0"#) && ok.body.hasSuffix(#""status":"ok"}"#))

        status.recordTick(finishedAt: .now - .seconds(6), state: EngineState())
        let stale = await endpoint.respond(to: .init(method: "GET", path: "/healthz"))
        #expect(stale.status == 503)
        #expect(stale.body.contains(#""status":"stale""#))
    }

    @Test func staleMeansThreeIntervalsPlusTheCollectTimeout() {
        let limit = HealthAnswer.staleAfter(interval: .seconds(30), collectTimeout: .seconds(10))
        #expect(limit == .seconds(100))
        #expect(HealthAnswer(lastTickAge: .seconds(99.9), staleAfter: limit).isHealthy)
        #expect(!HealthAnswer(lastTickAge: .seconds(100), staleAfter: limit).isHealthy)
    }

    @Test func alertsListsTheFiringKeysOldestFirstWithTheirLastNotification() async throws {
        func tracked(_ key: SignalKey, firing: Bool, since: Double) -> (SignalKey, TrackedAlert) {
            (
                key,
                TrackedAlert(
                    state: AlertState(
                        firing: firing, activeCount: 1, since: t0.addingTimeInterval(since),
                        lastNotified: firing ? t0.addingTimeInterval(since + 1) : nil),
                    signal: Signal(key: key, active: true, severity: .critical, title: "T \(key)", detail: "d"))
            )
        }
        let status = WatchdogStatus(configured: try ConfiguredSilences(mute: [SignalKey(.diskFull)]))
        status.recordTick(
            finishedAt: .now,
            state: EngineState(
                alerts: Dictionary(uniqueKeysWithValues: [
                    tracked(SignalKey(.containerDown, "db"), firing: true, since: 60),
                    tracked(SignalKey(.diskFull, "/"), firing: true, since: 0),
                    tracked(SignalKey(.dependencyDown, "api"), firing: false, since: 10),
                ])))
        let answer = await endpoint(status: status).respond(to: .init(method: "GET", path: "/alerts"))
        #expect(answer.status == 200 && answer.contentType == "application/json")
        let list = try #require(
            try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]])
        #expect(list.map { $0["key"] as? String } == ["disk_full:/", "container_down:db"])
        #expect(list[0]["muted"] as? Bool == true && list[1]["muted"] as? Bool == false)
        #expect(list[0]["silenced_by"] as? [String] == ["mute-1"] && list[1]["silenced_by"] as? [String] == [])
        #expect(list[1]["since"] as? String == "2027-01-15T08:01:00Z")
        #expect(list[1]["last_notified"] as? String == "2027-01-15T08:01:01Z")
        #expect(list[1]["severity"] as? String == "critical")
    }

    @Test func aPingIsRecordedWithGetOrPost() async {
        let board = HeartbeatBoard(names: ["backup"], monotonicNow: { .seconds(7) })
        let endpoint = endpoint(board: board)
        #expect(await endpoint.respond(to: .init(method: "POST", path: "/ping/backup")).status == 200)
        #expect(board.latest(asOf: t0) == ["backup": t0])
        #expect(await endpoint.respond(to: .init(method: "get", path: "/ping/backup")).status == 200)
    }

    @Test(
        arguments: [
            (nil, nil, 401),
            ("Bearer wrong", nil, 401),
            ("Basic s3cret-token", nil, 401),
            (nil, "token=s3cret-toke", 401),
            ("Bearer s3cret-token", nil, 200),
            ("bearer s3cret-token", nil, 200),
            (nil, "token=s3cret-token", 200),
            (nil, "a=1&token=s3cret%2Dtoken", 200),
        ] as [(String?, String?, Int)])
    func withATokenSetAPingNeedsIt(authorization: String?, query: String?, status: Int) async {
        let answer = await endpoint(token: "s3cret-token").respond(
            to: .init(method: "POST", path: "/ping/backup", query: query, authorization: authorization))
        #expect(answer.status == status)
        #expect(!answer.body.contains("s3cret"))
    }

    @Test func anUnknownNameIs404ButOnlyAfterTheTokenIsChecked() async {
        let endpoint = endpoint(token: "t")
        #expect(await endpoint.respond(to: .init(method: "GET", path: "/ping/nope")).status == 401)
        #expect(
            await endpoint.respond(to: .init(method: "GET", path: "/ping/nope", authorization: "Bearer t")).status
                == 404)
    }

    @Test(arguments: [
        ("GET", "/"), ("GET", "/healthz/"), ("POST", "/healthz"), ("DELETE", "/alerts"), ("PUT", "/ping/backup"),
        ("GET", "/ping/"), ("GET", "/ping/backup/x"), ("GET", "/metrics.json"), ("GET", "/../etc/passwd"),
    ])
    func everythingElseIs404(method: String, path: String) async {
        #expect(await endpoint().respond(to: .init(method: method, path: path)) == .notFound)
    }

    @Test func tokensCompareByEveryByte() {
        #expect(Endpoint.constantTimeEqual("abc", "abc"))
        #expect(!Endpoint.constantTimeEqual("abd", "abc"))
        #expect(!Endpoint.constantTimeEqual("ab", "abc"))
        #expect(!Endpoint.constantTimeEqual("abcd", "abc"))
        #expect(!Endpoint.constantTimeEqual("", "abc"))
    }
}

@Suite struct WatchdogMetricsTests {
    @Test func deliveryCountersAdvanceByTheOutboxesDifferences() {
        let metrics = WatchdogMetrics()
        var counters = OutboxCounters()
        counters.delivered = 3
        counters.dropped = 1
        metrics.record([ChannelStatistics(channel: "telegram", counters: counters, depth: 7)])
        counters.delivered = 5
        counters.rejected = 2
        metrics.record([ChannelStatistics(channel: "telegram", counters: counters, depth: 0)])
        let text = metrics.exposition()
        #expect(text.contains(#"watchdog_notifications_total{channel="telegram",outcome="delivered"} 5"#))
        #expect(text.contains(#"watchdog_notifications_total{channel="telegram",outcome="rejected"} 2"#))
        #expect(text.contains(#"watchdog_notifications_dropped_total{channel="telegram"} 1"#))
        #expect(text.contains(#"watchdog_outbox_depth{channel="telegram"} 0"#))
    }
}
