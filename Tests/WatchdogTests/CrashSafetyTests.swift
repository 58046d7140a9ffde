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
        try first.waitForStderr(occurrences: 1, of: "notification not delivered, will retry", timeout: 30)
        first.kill()
        let killed = try first.wait(timeout: 10)
        #expect(killed.status == 9)
        #expect(standIn.accepted.isEmpty)
        let saved = try String(contentsOfFile: state, encoding: .utf8)
        #expect(saved.contains("disk_full:\\/@") || saved.contains("disk_full:/@"))

        // 2. The API is back: the restart delivers both, once, in order, and fires nothing anew.
        standIn.setFailing(false)
        let second = try WatchdogProcess.start(["run"], environment: environment)
        try await waitFor(timeout: 30) { standIn.accepted.count >= 2 }
        try second.waitForStderr(occurrences: 3, of: "tick done", timeout: 30)
        second.terminate()
        let stopped = try second.wait(timeout: 10)
        #expect(stopped.status == 0)
        let texts = standIn.accepted.map(\.text)
        #expect(texts.count == 2)
        #expect(texts.first?.contains("<code>disk_full:/</code>") == true)
        #expect(texts.last?.contains("<code>host_memory</code>") == true)

        // 3. Another restart: everything was acknowledged and the keys are still firing.
        let third = try WatchdogProcess.start(["run"], environment: environment)
        try third.waitForStderr(occurrences: 2, of: "tick done", timeout: 30)
        third.terminate()
        let last = try third.wait(timeout: 10)
        #expect(standIn.accepted.count == 2)

        for output in [killed, stopped, last] {
            #expect(!(output.stdout + output.stderr).contains("CRASH-test-token"))
        }
    }
}

/// Polls `condition` in real time: the binary under test runs in real time.
func waitFor(timeout: TimeInterval, _ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < deadline else { throw WatchdogProcess.Timeout(description: "condition not met in \(timeout) s") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
