import Foundation
import TestSupport
import Testing

/// Escalation (SPEC §4.3) through the real binary: a critical fire nobody acknowledges
/// reaches each tier once, in order, then the last tier is reminded; a restart in the
/// middle neither resets the timers nor sends a tier twice; a warning never escalates;
/// `/alerts`, `/api/v2/alerts` and `/metrics` say where it stands.
@Suite(.serialized)
struct EscalationProcessTests {
    /// A watchdog ticking every second whose only problem is dependency `api`, down;
    /// the endpoint on `port`; `extra` for the channels and what the test is about.
    static func environment(port: Int, dependency: ToggledDependency, _ extra: [String: String]) -> [String: String] {
        [
            "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LISTEN": "127.0.0.1:\(port)", "WATCHDOG_MEM_PCT": "100",
            "WATCHDOG_DISK_PCT": "100", "WATCHDOG_DEPS": "api=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
        ].merging(extra) { _, new in new }
    }

    @Test func tiersOnceThenRemindersAcrossARestartAndAWarningNever() async throws {
        let receiver = try await StubHTTPServer.start { _ in .text(200, "ok") }
        defer { Task { await receiver.stop() } }
        let dependency = try await ToggledDependency { _ in false }
        defer { Task { await dependency.server.stop() } }
        let directory = try TemporaryDirectory()
        let port = try freeLocalPort()
        let environment = [
            "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_STATE_FILE": directory.path + "/s.json",
            "WATCHDOG_LISTEN": "127.0.0.1:\(port)", "WATCHDOG_MEM_PCT": "0", "WATCHDOG_DISK_PCT": "100",
            "WATCHDOG_DEPS": "api=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1", "WATCHDOG_COOLDOWN": "1h",
            "WATCHDOG_NOTIFY_CHAT": "json://127.0.0.1:\(receiver.port)/chat",
            "WATCHDOG_NOTIFY_ONCALL": "json://127.0.0.1:\(receiver.port)/oncall",
            "WATCHDOG_NOTIFY_LEAD": "json://127.0.0.1:\(receiver.port)/lead",
            "WATCHDOG_ESCALATE": "3s:oncall,15s:lead", "WATCHDOG_ESCALATE_REPEAT": "4s",
        ]
        /// What arrived at `path` about `alertname`.
        func posts(_ path: String, _ alertname: String) -> [RecordedRequest] {
            receiver.requests.filter { $0.uri == path && $0.bodyText.contains("\"alertname\":\"\(alertname)\"") }
        }

        let first = try WatchdogProcess.start(["run"], environment: environment)
        defer { first.kill() }
        #expect(await eventually(timeout: .seconds(30)) { posts("/oncall", "dependency_down").count == 1 })
        #expect(
            posts("/oncall", "dependency_down").first?.bodyText.contains("escalated: nobody acknowledged it") == true)
        #expect(posts("/lead", "dependency_down").isEmpty)
        first.terminate()
        _ = try await first.wait(timeout: 10)

        let second = try WatchdogProcess.start(["run"], environment: environment)
        defer { second.kill() }
        // The second tier 15 s after the delivered fire, then one reminder 4 s later.
        #expect(await eventually(timeout: .seconds(40)) { posts("/lead", "dependency_down").count >= 2 })
        let alerts = try await fetch("http://127.0.0.1:\(port)/alerts")
        let amAlerts = try await fetch("http://127.0.0.1:\(port)/api/v2/alerts")
        let metrics = try await fetch("http://127.0.0.1:\(port)/metrics")
        second.terminate()
        _ = try await second.wait(timeout: 10)

        // Each tier once; the fire once, not again after the restart.
        #expect(posts("/oncall", "dependency_down").count == 1)
        #expect(posts("/chat", "dependency_down").count == 1)
        #expect(posts("/lead", "dependency_down").first?.bodyText.contains("told before: chat, oncall") == true)
        // Tier channels take escalations only: no fire, no warning.
        for tier in ["/oncall", "/lead"] {
            #expect(posts(tier, "host_memory").isEmpty)
            #expect(!posts(tier, "dependency_down").contains { !$0.bodyText.contains("escalated:") })
        }
        #expect(posts("/chat", "host_memory").count == 1)
        #expect(alerts.body.contains(#""told":["oncall","lead"]"#))
        #expect(alerts.body.contains(#""tier":2"#) && alerts.body.contains(#""next_at":"#))
        #expect(amAlerts.body.contains(#""escalated_to":"oncall,lead""#))
        #expect(metrics.body.contains(#"watchdog_escalations_total{tier="2"}"#))
    }

    /// An acknowledgement over the API stops the escalation before the second tier, and
    /// every channel that was told hears once who acknowledged.
    @Test func anAPIAcknowledgementStopsItAndEveryToldChannelHearsWho() async throws {
        let receiver = try await StubHTTPServer.start { _ in .text(200, "ok") }
        defer { Task { await receiver.stop() } }
        let dependency = try await ToggledDependency { _ in false }
        defer { Task { await dependency.server.stop() } }
        let port = try freeLocalPort()
        let token = "ack-TOKEN-4f1c2d"
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: Self.environment(
                port: port, dependency: dependency,
                [
                    "WATCHDOG_API_TOKEN": token, "WATCHDOG_NOTIFY_CHAT": "json://127.0.0.1:\(receiver.port)/chat",
                    "WATCHDOG_NOTIFY_ONCALL": "json://127.0.0.1:\(receiver.port)/oncall",
                    "WATCHDOG_NOTIFY_LEAD": "json://127.0.0.1:\(receiver.port)/lead",
                    "WATCHDOG_ESCALATE": "2s:oncall,8s:lead",
                ]))
        defer { watchdog.kill() }
        func posts(_ path: String) -> [RecordedRequest] { receiver.requests.filter { $0.uri == path } }
        #expect(await eventually(timeout: .seconds(30)) { posts("/oncall").count == 1 })
        let refused = try await fetch(
            "http://127.0.0.1:\(port)/api/watchdog/ack", method: "POST",
            body: #"{"key":"dependency_down:api","by":"alice"}"#)
        #expect(refused.status == 401)
        let answer = try await fetch(
            "http://127.0.0.1:\(port)/api/watchdog/ack", method: "POST",
            headers: [("Authorization", "Bearer \(token)")], body: #"{"key":"dependency_down:api","by":"alice"}"#)
        #expect(answer.status == 200)
        #expect(await eventually(timeout: .seconds(10)) { posts("/chat").count == 2 && posts("/oncall").count == 2 })
        // Past the second tier's time: it never goes out.
        try await Task.sleep(for: .seconds(9))
        let metrics = try await fetch("http://127.0.0.1:\(port)/metrics")
        watchdog.terminate()
        let result = try await watchdog.wait(timeout: 10)
        #expect(posts("/lead").isEmpty)
        for path in ["/chat", "/oncall"] {
            #expect(posts(path).count == 2)
            #expect(posts(path).last?.bodyText.contains("acknowledged by alice (api)") == true)
        }
        #expect(metrics.body.contains(#"watchdog_acknowledgements_total{source="api"} 1"#))
        #expect(!(result.stdout + result.stderr).contains(token))
    }

    /// Pushover's emergency as the last tier: the escalation rings the phone until someone
    /// acknowledges it in the app; the watchdog reads the receipt and the key is
    /// acknowledged, named by the device, never by the user key.
    @Test func aPushoverEmergencyAcknowledgedInTheAppAcknowledgesTheKey() async throws {
        let appToken = "aAPPtoken0123456789abcdefghijk"
        let userKey = "uUSERkey0123456789abcdefghijkl"
        let pushover = try await PushoverStandIn.start(appToken: appToken, userKey: userKey)
        defer { Task { await pushover.stop() } }
        let receiver = try await StubHTTPServer.start { _ in .text(200, "ok") }
        defer { Task { await receiver.stop() } }
        let dependency = try await ToggledDependency { _ in false }
        defer { Task { await dependency.server.stop() } }
        let port = try freeLocalPort()
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: Self.environment(
                port: port, dependency: dependency,
                [
                    "WATCHDOG_NOTIFY_CHAT": "json://127.0.0.1:\(receiver.port)/chat",
                    "WATCHDOG_NOTIFY_PHONE": "pover://\(userKey)@\(appToken)?priority=emergency&interval=60&expire=600",
                    "WATCHDOG_PUSHOVER_API_URL": pushover.apiBaseURL, "WATCHDOG_ESCALATE": "2s:phone",
                ]))
        defer { watchdog.kill() }
        #expect(await eventually(timeout: .seconds(30)) { pushover.messages.first?.receipt != nil })
        let emergency = try #require(pushover.messages.first)
        #expect(emergency.priority == 2 && emergency.message.contains("nobody acknowledged it"))
        // Asked about while it rings; nobody has pressed anything yet.
        #expect(await eventually(timeout: .seconds(15)) { pushover.receiptQueries >= 1 })
        #expect(try await fetch("http://127.0.0.1:\(port)/alerts").body.contains("acknowledged_by") == false)
        pushover.acknowledge(try #require(emergency.receipt), by: userKey, device: "pixel-7")
        #expect(
            await eventually(timeout: .seconds(15)) {
                (try? await fetch("http://127.0.0.1:\(port)/alerts").body.contains(
                    #""acknowledged_by":"pixel-7 (Pushover)""#)) == true
            })
        // The chat hears who; the phone, where it was acknowledged, is not told again.
        #expect(
            await eventually(timeout: .seconds(10)) {
                receiver.requests.contains { $0.bodyText.contains("acknowledged by pixel-7 (Pushover) (phone)") }
            })
        let alerts = try await fetch("http://127.0.0.1:\(port)/alerts")
        let metrics = try await fetch("http://127.0.0.1:\(port)/metrics")
        watchdog.terminate()
        let result = try await watchdog.wait(timeout: 10)
        #expect(pushover.messages.count == 1)
        #expect(metrics.body.contains(#"watchdog_acknowledgements_total{source="phone"} 1"#))
        for text in [alerts.body, metrics.body, result.stdout, result.stderr] {
            #expect(!text.contains(userKey) && !text.contains(appToken))
        }
    }

    /// An acknowledgement made elsewhere is written into the Telegram fire (SPEC §4.3):
    /// the fire keeps what it said and gains who acknowledged it; no extra message.
    @Test func anAPIAcknowledgementIsWrittenIntoTheTelegramFire() async throws {
        let botToken = "777:ACK-edit-token-3b1f"
        let telegram = try await TelegramStandIn.start(token: botToken)
        defer { Task { await telegram.stop() } }
        let dependency = try await ToggledDependency { _ in false }
        defer { Task { await dependency.server.stop() } }
        let port = try freeLocalPort()
        let token = "ack-TOKEN-9e8d7c"
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: Self.environment(
                port: port, dependency: dependency,
                [
                    "WATCHDOG_API_TOKEN": token, "WATCHDOG_TELEGRAM_BOT_TOKEN": botToken,
                    "WATCHDOG_TELEGRAM_CHAT_ID": "4242", "WATCHDOG_TELEGRAM_API_URL": telegram.baseURL,
                ]))
        defer { watchdog.kill() }
        #expect(await eventually(timeout: .seconds(30)) { !telegram.accepted.isEmpty })
        let fire = try #require(telegram.accepted.first)
        let answer = try await fetch(
            "http://127.0.0.1:\(port)/api/watchdog/ack", method: "POST",
            headers: [("Authorization", "Bearer \(token)")], body: #"{"key":"dependency_down:api","by":"alice"}"#)
        #expect(answer.status == 200)
        #expect(await eventually(timeout: .seconds(10)) { !telegram.edits.isEmpty })
        watchdog.terminate()
        _ = try await watchdog.wait(timeout: 10)
        #expect(telegram.accepted.count == 1)
        let text = try #require(telegram.currentText(of: fire.messageID))
        #expect(text.hasPrefix("🔴") && text.contains("dependency_down:api"))
        #expect(text.contains("👍 acknowledged by alice (api)"))
    }

    /// A silence made over the API after the fire went out, before the tier's time: the
    /// tier is never told.
    @Test func aSilenceBeforeTheTierStopsTheEscalation() async throws {
        let receiver = try await StubHTTPServer.start { _ in .text(200, "ok") }
        defer { Task { await receiver.stop() } }
        let dependency = try await ToggledDependency { _ in false }
        defer { Task { await dependency.server.stop() } }
        let port = try freeLocalPort()
        let token = "silence-TOKEN-5a6b"
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: Self.environment(
                port: port, dependency: dependency,
                [
                    "WATCHDOG_API_TOKEN": token, "WATCHDOG_NOTIFY_CHAT": "json://127.0.0.1:\(receiver.port)/chat",
                    "WATCHDOG_NOTIFY_ONCALL": "json://127.0.0.1:\(receiver.port)/oncall",
                    "WATCHDOG_ESCALATE": "5s:oncall",
                ]))
        defer { watchdog.kill() }
        #expect(await eventually(timeout: .seconds(30)) { receiver.requests.contains { $0.uri == "/chat" } })
        let silence = try await fetch(
            "http://127.0.0.1:\(port)/api/v2/silences", method: "POST",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
            body:
                #"{"matchers":[{"name":"alertname","value":"dependency_down","isRegex":false}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"alice","comment":"working on it"}"#
        )
        #expect(silence.status == 200, "\(silence.body)")
        // Past the tier's time.
        try await Task.sleep(for: .seconds(8))
        let alerts = try await fetch("http://127.0.0.1:\(port)/alerts")
        watchdog.terminate()
        _ = try await watchdog.wait(timeout: 10)
        #expect(!receiver.requests.contains { $0.uri == "/oncall" })
        #expect(alerts.body.contains(#""stopped":"silenced""#))
    }
}
