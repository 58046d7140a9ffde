import Foundation
import TestSupport
import Testing

/// The real binary against a Telegram stand-in: what was queued survives a SIGKILL and
/// is delivered exactly once after the restart; nothing acknowledged is sent again.
@Suite(.serialized) struct CrashSafetyTests {
    static let token = "424242:CRASH-test-token"

    func environment(_ standIn: TelegramStandIn, state: String) -> [String: String] {
        [
            "WATCHDOG_MEM_PCT": "0", "WATCHDOG_DISK_PCT": "0", "WATCHDOG_INTERVAL": "1s",
            "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_STATE_FILE": state,
            "WATCHDOG_TELEGRAM_BOT_TOKEN": Self.token, "WATCHDOG_TELEGRAM_CHAT_ID": "12345",
            "WATCHDOG_TELEGRAM_API_URL": standIn.baseURL,
        ]
    }

    @Test func pendingNotificationsSurviveSIGKILLAndAreDeliveredExactlyOnce() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let directory = try TemporaryDirectory()
        let state = directory.path + "/state.json"
        let environment = environment(standIn, state: state)

        // 1. The API is down: both alerts fire, are queued, persisted, and retried.
        standIn.setFailing(true)
        let first = try WatchdogProcess.start(["run"], environment: environment)
        try await first.waitForStderr(occurrences: 1, of: "notification not delivered, will retry", timeout: 30)
        first.kill()
        let killed = try await first.wait(timeout: 10)
        #expect(killed.status == 9)
        #expect(standIn.accepted.isEmpty)
        let saved = try String(contentsOfFile: state, encoding: .utf8)
        #expect(saved.contains("disk_full:\\/@") || saved.contains("disk_full:/@"))

        // 2. The API is back: the restart delivers both, once, in order, and fires nothing anew.
        standIn.setFailing(false)
        let second = try WatchdogProcess.start(["run"], environment: environment)
        #expect(await eventually(timeout: .seconds(30)) { standIn.accepted.count >= 2 })
        // Acknowledged means the watchdog read the API's answer, not only that the API
        // took the message: one still in flight at the SIGTERM is rightly sent again
        // (at least once), so wait for both answers before stopping.
        try await second.waitForStderr(occurrences: 2, of: "notification delivered", timeout: 30)
        try await second.waitForStderr(occurrences: 3, of: "tick done", timeout: 30)
        second.terminate()
        let stopped = try await second.wait(timeout: 10)
        #expect(stopped.status == 0)
        let texts = standIn.accepted.map(\.text)
        #expect(texts.count == 2)
        #expect(texts.first?.contains("<code>disk_full:/</code>") == true)
        #expect(texts.last?.contains("<code>host_memory</code>") == true)

        // 3. Another restart: everything was acknowledged and the keys are still firing.
        let third = try WatchdogProcess.start(["run"], environment: environment)
        try await third.waitForStderr(occurrences: 2, of: "tick done", timeout: 30)
        third.terminate()
        let last = try await third.wait(timeout: 10)
        #expect(standIn.accepted.count == 2)

        for output in [killed, stopped, last] {
            #expect(!(output.stdout + output.stderr).contains("CRASH-test-token"))
        }
    }
}

@Suite(.serialized) struct TestNotifyProcessTests {
    static let token = "777:TESTNOTIFY-secret"

    @Test func testNotifyReportsEachChannelsAnswerWithoutTheSecret() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let environment = [
            "WATCHDOG_TELEGRAM_BOT_TOKEN": Self.token, "WATCHDOG_TELEGRAM_CHAT_ID": "-100",
            "WATCHDOG_TELEGRAM_API_URL": standIn.baseURL, "WATCHDOG_CONSOLE": "true",
            // The stand-in answers on this process's cooperative pool, which every suite
            // shares at the start of a run: room for that, as the answer is the point.
            "WATCHDOG_HTTP_TIMEOUT": "30s",
        ]
        let ok = try await WatchdogProcess.run(["test-notify"], environment: environment, timeout: 90)
        #expect(ok.status == 0)
        // Each channel names where it sent, its secret redacted.
        #expect(ok.stdout.contains("telegram → \(standIn.baseURL)/bot<redacted>/sendMessage: ok"))
        #expect(ok.stdout.contains("console → the console (standard output): ok"))
        #expect(standIn.accepted.first?.text.contains("Test message from watchdog") == true)

        standIn.inject([.chatNotFound])
        let failed = try await WatchdogProcess.run(["test-notify", "--channel", "telegram"], environment: environment)
        #expect(failed.status == 1)
        #expect(
            failed.stdout
                == "telegram → \(standIn.baseURL)/bot<redacted>/sendMessage: failed: HTTP 400: Bad Request: chat not found\n"
        )

        // A webhook URL is a secret as a whole: only its scheme, host and port are shown,
        // and a refusal says by whom, in words.
        let port = try freeLocalPort()
        var withWebhook = environment
        withWebhook["WATCHDOG_WEBHOOK_URL"] = "http://hook-user:TESTNOTIFY-secret@127.0.0.1:\(port)/TESTNOTIFY-secret"
        let refused = try await WatchdogProcess.run(["test-notify", "--channel", "webhook"], environment: withWebhook)
        #expect(refused.status == 1)
        #expect(
            refused.stdout
                == "webhook → http://127.0.0.1:\(port)/<redacted>: failed (temporary): connection refused by 127.0.0.1:\(port)\n"
        )

        let unknown = try await WatchdogProcess.run(["test-notify", "--channel", "slack"], environment: environment)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("configured: telegram, console"))
        for result in [ok, failed, unknown, refused] {
            #expect(!(result.stdout + result.stderr).contains("TESTNOTIFY-secret"))
        }
    }
}
