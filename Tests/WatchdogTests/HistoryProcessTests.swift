import Foundation
import TestSupport
import Testing

/// SPEC §14 through the real binary: after a fire, an acknowledgement from the chat and a
/// resolve, the incident log, `GET /api/watchdog/history`, `/history` and the status page
/// (read by a real headless chromium) tell the same incident with its durations and who
/// acknowledged it; a scheduled report arrives once at its time, not again after a
/// restart, and one missed while the watchdog was down arrives late once, saying so.
@Suite(.serialized) struct HistoryProcessTests {
    static let botToken = "888:HISTORY-test-token-5c1a"
    static let chat: Int64 = 4242
    static let alice: Int64 = 1001

    /// Where the test leaves the status page's screenshots for people to look at: the
    /// build folder, which git ignores (`.build/artifacts/`).
    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/artifacts").path

    func environment(
        _ telegram: TelegramStandIn, dependency: ToggledDependency, directory: TemporaryDirectory, port: Int
    )
        -> [String: String]
    {
        [
            "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_INSTANCE": "shop-prod",
            "WATCHDOG_STATE_FILE": directory.path + "/state.json", "WATCHDOG_LISTEN": "127.0.0.1:\(port)",
            "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100", "WATCHDOG_COOLDOWN": "1h",
            "WATCHDOG_DEPS": "payments=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
            "WATCHDOG_TELEGRAM_BOT_TOKEN": Self.botToken, "WATCHDOG_TELEGRAM_CHAT_ID": "\(Self.chat)",
            "WATCHDOG_TELEGRAM_API_URL": telegram.baseURL, "WATCHDOG_TELEGRAM_COMMANDS": "true",
            "WATCHDOG_TELEGRAM_ADMINS": "@alice", "WATCHDOG_MUTE": "disk_full:/nowhere",
        ]
    }

    @Test func theAPITheChatAndThePageTellTheSameIncident() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let down = Flag()
        let dependency = try await ToggledDependency { _ in !down.isSet }
        defer { Task { await dependency.server.stop() } }
        let directory = try TemporaryDirectory()
        let port = try freeLocalPort()
        let base = "http://127.0.0.1:\(port)"
        // A week of earlier incidents, in the log's documented shape, read at start.
        let log = directory.path + "/state.json.history.jsonl"
        let seeded = try Self.earlierWeek(now: Date())
        try seeded.lines.write(toFile: log, atomically: true, encoding: .utf8)
        let watchdog = try WatchdogProcess.start(
            ["run"], environment: environment(telegram, dependency: dependency, directory: directory, port: port))
        defer { watchdog.kill() }
        try await watchdog.waitForStderr(occurrences: 2, of: "tick done", timeout: 30)

        // Fire; Alice acknowledges from the chat.
        down.set(true)
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.contains { $0.text.hasPrefix("🔴") } })
        _ = telegram.userSends(
            "/ack dependency_down:payments", chatID: Self.chat, userID: Self.alice, username: "alice")
        #expect(
            await eventually(timeout: .seconds(15)) {
                telegram.accepted.contains { $0.silent && $0.text.contains("acknowledged by @alice") }
            })
        // The acknowledgement is a line of the log at the next tick.
        #expect(
            await eventually(timeout: .seconds(15)) {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(#""event":"acknowledged""#)
            })

        // While it fires, the page holds what /alerts holds.
        let browser = try HeadlessChromium()
        let alerts = try JSONSerialization.jsonObject(with: Data(try await fetch(base + "/alerts").body.utf8))
        let firing = try #require(alerts as? [[String: Any]])
        #expect(firing.count == 1)
        let firingDOM = try await browser.dom(base + "/")
        for alert in firing {
            let key = try #require(alert["key"] as? String)
            let row = try #require(Self.element(in: firingDOM, containing: #"data-key="\#(key)""#, tag: "tr"))
            #expect(row.contains(#"data-severity="\#(alert["severity"] as? String ?? "?")""#))
            #expect(row.contains(#"data-acknowledged-by="\#(alert["acknowledged_by"] as? String ?? "?")""#))
            #expect(row.contains(alert["title"] as? String ?? "?"))
        }
        #expect(firingDOM.contains(#"id="state""#) && firingDOM.contains("1 firing"))
        #expect(firingDOM.contains(#"http-equiv="refresh""#))
        // The silence in force, and no script, no outside asset, no secret.
        #expect(firingDOM.contains(#"data-silence="mute-1""#))
        #expect(!firingDOM.contains("<script") && !firingDOM.contains("src=\"http"))
        #expect(!firingDOM.contains(Self.botToken) && !firingDOM.contains(telegram.baseURL))
        #expect(!firingDOM.contains(dependency.url))
        try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
        try await browser.screenshot(
            base + "/", to: Self.artifacts + "/status-page-firing-phone.png", width: 412, height: 900)

        // Resolve.
        down.set(false)
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.contains { $0.text.hasPrefix("🟢") } })
        #expect(
            await eventually(timeout: .seconds(15)) {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains(#""event":"resolved""#)
            })

        // The log: one JSON object per line, the last line of the incident says it all.
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let mine = objects.filter {
            $0["key"] as? String == "dependency_down:payments" && !($0["id"] as? String ?? "").hasPrefix("seed-")
        }
        #expect(mine.map { $0["event"] as? String ?? "" } == ["opened", "acknowledged", "resolved"])
        let last = try #require(mine.last)
        let id = try #require(last["id"] as? String)
        #expect(Set(mine.compactMap { $0["id"] as? String }) == [id])
        #expect(last["acknowledged_by"] as? String == "@alice")
        #expect(last["acknowledged_via"] as? String == "telegram")
        let duration = try #require(last["duration_s"] as? Int)
        #expect(duration >= 1)

        // The API tells the same.
        let answer = try JSONSerialization.jsonObject(
            with: Data(try await fetch(base + "/api/watchdog/history?since=1h&key=dependency_down").body.utf8))
        let history = try #require(answer as? [String: Any])
        let incidents = try #require(history["incidents"] as? [[String: Any]])
        #expect(incidents.count == 1)
        #expect(incidents.first?["id"] as? String == id)
        #expect(incidents.first?["acknowledged_by"] as? String == "@alice")
        #expect(incidents.first?["duration_s"] as? Int == duration)
        let summary = try #require(history["summary"] as? [String: Any])
        #expect(summary["incidents"] as? Int == 1 && summary["acknowledged"] as? Int == 1)
        #expect(summary["mean_time_to_resolve_s"] as? Int == duration)
        #expect(try await fetch(base + "/api/watchdog/history?limit=0").status == 400)
        let everything = try JSONSerialization.jsonObject(
            with: Data(try await fetch(base + "/api/watchdog/history?limit=1000").body.utf8))
        #expect((everything as? [String: Any])?["total"] as? Int == seeded.count + 1)

        // The chat's /history tells the same.
        _ = telegram.userSends("/history", chatID: Self.chat, userID: Self.alice, username: "alice")
        #expect(
            await eventually(timeout: .seconds(15)) {
                telegram.accepted.contains { $0.silent && $0.text.contains("1 incident</b> in the last 1d") }
            })
        let told = try #require(telegram.accepted.first { $0.text.contains("1 incident</b> in the last 1d") })
        #expect(told.text.contains("<code>dependency_down:payments</code>"))
        #expect(told.text.contains("lasted \(Self.durationText(duration))"))
        #expect(told.text.contains("👍 @alice after"))
        #expect(told.text.contains("mean time to acknowledge"))

        // The page tells the same: the incident, its duration, who acknowledged it, and
        // its timelines; nothing fires now.
        let dom = try await browser.dom(base + "/")
        let row = try #require(Self.element(in: dom, containing: #"data-incident="\#(id)""#, tag: "tr"))
        #expect(row.contains(Self.durationText(duration)) && row.contains("@alice"))
        #expect(dom.contains("all clear"))
        let lane = try #require(
            Self.element(in: dom, containing: #"data-timeline="dependency_down:payments""#, tag: "div"))
        #expect(lane.contains("<svg") && lane.contains(#"class="critical""#) && lane.contains(#"class="ack""#))
        try await browser.screenshot(base + "/", to: Self.artifacts + "/status-page.png", width: 1200, height: 900)

        watchdog.terminate()
        #expect(try await watchdog.wait(timeout: 10).status == 0)
        #expect(!(watchdog.stdout + watchdog.stderr).contains(Self.botToken))
    }

    @Test func aReportArrivesOnceAtItsTimeAndAMissedOneLateOnce() async throws {
        let compiler = try #require(WallClockProcessTests.compiler, "no C compiler to build the wall clock shim")
        let directory = try TemporaryDirectory()
        let library = directory.path + "/libwallshift.so"
        let built = try await RealDocker.shell(
            [compiler, "-shared", "-fPIC", "-O2", "-o", library, WallClockProcessTests.source])
        try #require(built.status == 0, "\(built.stderr)")
        // The watchdog's wall clock reads 15 s before the next 09:00 UTC: its first tick
        // comes before 09:00 even on a loaded machine.
        let now = Date().timeIntervalSince1970
        let nextNine = (floor((now - 9 * 3600) / 86_400) + 1) * 86_400 + 9 * 3600
        let offset = Int(nextNine - now) - 15
        let offsetFile = try directory.write("offset", "\(offset)")
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let environment = [
            "LD_PRELOAD": library, "WALLSHIFT_FILE": offsetFile, "WATCHDOG_INTERVAL": "1s",
            "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_STATE_FILE": directory.path + "/state.json",
            "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100", "WATCHDOG_REPORT": "daily 09:00",
            "WATCHDOG_TELEGRAM_BOT_TOKEN": Self.botToken, "WATCHDOG_TELEGRAM_CHAT_ID": "\(Self.chat)",
            "WATCHDOG_TELEGRAM_API_URL": telegram.baseURL,
        ]
        func reports() -> [TelegramStandIn.Message] { telegram.accepted.filter { $0.text.hasPrefix("📋") } }

        let first = try WatchdogProcess.start(["run"], environment: environment)
        defer { first.kill() }
        #expect(await eventually(timeout: .seconds(60)) { reports().count == 1 })
        let report = try #require(reports().first)
        #expect(report.text.hasPrefix("📋 <b>REPORT</b>") && report.silent)
        #expect(report.text.contains("all quiet from"))
        #expect(!report.text.contains("sent late"))
        try await first.waitForStderr(occurrences: 3, of: "tick done", timeout: 30)
        #expect(reports().count == 1)
        first.terminate()
        _ = try await first.wait(timeout: 10)

        // A restart right after: nothing again.
        let second = try WatchdogProcess.start(["run"], environment: environment)
        defer { second.kill() }
        try await second.waitForStderr(occurrences: 4, of: "tick done", timeout: 30)
        #expect(reports().count == 1)
        second.terminate()
        _ = try await second.wait(timeout: 10)

        // Down over the next two days' 09:00: one report, late, saying so.
        _ = try directory.write("offset", "\(offset + 2 * 86_400 + 3_600)")
        let third = try WatchdogProcess.start(["run"], environment: environment)
        defer { third.kill() }
        #expect(await eventually(timeout: .seconds(30)) { reports().count == 2 })
        try await third.waitForStderr(occurrences: 4, of: "tick done", timeout: 30)
        #expect(reports().count == 2)
        #expect(reports().last?.text.contains("⏰ sent late: the watchdog was not running at") == true)
        third.terminate()
        #expect(try await third.wait(timeout: 10).status == 0)
    }

    /// Incidents of the week before the last day, as JSON Lines written by hand from the
    /// README's description of a line: a database crash that took the API with it and
    /// escalated, a disk filling in a maintenance window, a flaky payments probe.
    static func earlierWeek(now: Date) throws -> (lines: String, count: Int) {
        let hour: TimeInterval = 3_600
        func time(_ hoursAgo: Double) -> String {
            ISO8601DateFormatter().string(from: now.addingTimeInterval(-hoursAgo * hour))
        }
        var lines: [String] = []
        func incident(
            _ key: String, _ severity: String, hoursAgo: Double, minutes: Double, acknowledgedBy: String? = nil,
            silencedBy: [String] = [], inhibitedBy: [String] = [], escalatedTo: [String] = []
        ) throws {
            let family = String(key.prefix { $0 != ":" })
            let line: [String: Any] = [
                "id": "seed-\(lines.count)", "event": "resolved", "at": time(hoursAgo - minutes / 60), "key": key,
                "family": family, "entity": key.contains(":") ? String(key.drop { $0 != ":" }.dropFirst()) : NSNull(),
                "severity": severity, "title": "\(family) (earlier)", "started_at": time(hoursAgo),
                "resolved_at": time(hoursAgo - minutes / 60), "duration_s": Int(minutes * 60),
                "acknowledged_by": acknowledgedBy ?? NSNull(),
                "acknowledged_at": acknowledgedBy == nil ? NSNull() : time(hoursAgo - 0.1),
                "acknowledged_via": acknowledgedBy == nil ? NSNull() : "telegram", "silenced_by": silencedBy,
                "inhibited_by": inhibitedBy, "escalated_to": escalatedTo,
                "announced": silencedBy.isEmpty && inhibitedBy.isEmpty, "channels": ["telegram"],
            ]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self))
        }
        try incident(
            "container_down:shop-db-1", "critical", hoursAgo: 50, minutes: 25, acknowledgedBy: "@bob",
            escalatedTo: ["oncall"])
        try incident(
            "container_unhealthy:shop-api-1", "warning", hoursAgo: 49.9, minutes: 22,
            inhibitedBy: ["container_down:shop-db-1"])
        try incident("disk_full:/data", "warning", hoursAgo: 75, minutes: 180, silencedBy: ["maintenance-1"])
        for day in 1...6 {
            try incident(
                "dependency_down:payments", "critical", hoursAgo: Double(day) * 24 + 3, minutes: 6,
                acknowledgedBy: day % 2 == 0 ? "@alice" : nil)
        }
        try incident("host_memory", "warning", hoursAgo: 30, minutes: 45, acknowledgedBy: "@alice")
        return (lines.joined(separator: "\n") + "\n", lines.count)
    }

    /// The element with `tag` whose start tag holds `marker`, up to its end tag (no
    /// nesting of the same tag inside: rows and lanes have none).
    static func element(in dom: String, containing marker: String, tag: String) -> String? {
        guard let found = dom.range(of: marker),
            let start = dom.range(of: "<\(tag)", options: .backwards, range: dom.startIndex..<found.lowerBound),
            let end = dom.range(of: "</\(tag)>", range: found.upperBound..<dom.endIndex)
        else { return nil }
        return String(dom[start.lowerBound..<end.upperBound])
    }

    /// As the watchdog writes a duration (`DurationText`): `45s`, `1m 5s`.
    static func durationText(_ seconds: Int) -> String {
        seconds < 60 ? "\(seconds)s" : seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m \(seconds % 60)s"
    }
}
