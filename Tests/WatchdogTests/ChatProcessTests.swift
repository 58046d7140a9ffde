import Foundation
import TestSupport
import Testing

/// SPEC §5 "Threads and edits" and §13 through the real binary and the Telegram
/// stand-in: commands and buttons from the chat, every refusal, replies and edits, a
/// restart that answers nothing twice, and a 409 that never holds up an alert. One at a
/// time, like the other suites that run a watchdog for a while.
@Suite(.serialized)
struct ChatProcessTests {
    static let botToken = "888:CHAT-test-token-9d2e"
    static let chat: Int64 = 4242
    static let alice: Int64 = 1001
    static let mallory: Int64 = 6666

    func environment(telegram: TelegramStandIn, dependency: ToggledDependency, state: String) -> [String: String] {
        [
            "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_STATE_FILE": state,
            "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100", "WATCHDOG_COOLDOWN": "2s",
            "WATCHDOG_DEPS": "api=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
            "WATCHDOG_TELEGRAM_BOT_TOKEN": Self.botToken, "WATCHDOG_TELEGRAM_CHAT_ID": "\(Self.chat)",
            "WATCHDOG_TELEGRAM_API_URL": telegram.baseURL, "WATCHDOG_TELEGRAM_COMMANDS": "true",
            "WATCHDOG_TELEGRAM_ADMINS": "@Alice,\(Self.alice)",
        ]
    }

    func alerts(_ telegram: TelegramStandIn) -> [TelegramStandIn.Message] {
        telegram.accepted.filter {
            $0.text.contains("dependency_down:api") && !$0.silent || $0.text.contains("RESOLVED")
        }
    }

    func repeats(_ telegram: TelegramStandIn) -> Int {
        telegram.accepted.count { $0.text.hasPrefix("🔁") }
    }

    func answers(to text: String, _ telegram: TelegramStandIn) -> [TelegramStandIn.Message] {
        telegram.accepted.filter { $0.silent && $0.text.contains(text) }
    }

    func ticks(_ watchdog: WatchdogProcess) -> Int {
        watchdog.stderr.components(separatedBy: "tick done").count - 1
    }

    /// Waits `count` more ticks.
    func waitTicks(_ count: Int, _ watchdog: WatchdogProcess) async throws {
        try await watchdog.waitForStderr(occurrences: ticks(watchdog) + count, of: "tick done", timeout: 30)
    }

    /// A watchdog reading the stand-in's chat, its dependency healthy while `healthy`
    /// says so (keep the dependency: its server answers while it lives).
    func start(_ telegram: TelegramStandIn, healthy: @escaping @Sendable () -> Bool) async throws
        -> (WatchdogProcess, ToggledDependency)
    {
        let dependency = try await ToggledDependency { _ in healthy() }
        let directory = try TemporaryDirectory()
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: environment(telegram: telegram, dependency: dependency, state: directory.path + "/s.json"),
            keeping: directory)
        return (watchdog, dependency)
    }

    @Test func commandsAndButtonsActOnAFiringKeyAndEveryRefusalChangesNothing() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let down = Flag()
        down.set(true)
        let (watchdog, dependency) = try await start(telegram) { !down.isSet }
        defer { watchdog.kill() }
        defer { withExtendedLifetime(dependency) {} }

        // The fire carries the three buttons, each within Telegram's 64 bytes.
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.contains { $0.text.hasPrefix("🔴") } })
        let fire = try #require(telegram.accepted.first { $0.text.hasPrefix("🔴") })
        #expect(fire.buttons.count == 3)
        #expect(fire.buttons.map { String($0.prefix(4)) } == ["ack:", "s1h:", "s1d:"])
        #expect(fire.buttons.allSatisfy { $0.utf8.count <= 64 })
        #expect(fire.buttonTexts.first?.contains("Ack") == true)

        // /status (with the bot's name) lists it, as a reply to the command.
        let asked = Date()
        telegram.userSends("/status@watchdog_test_bot", chatID: Self.chat, userID: Self.alice, username: "alice")
        #expect(await eventually(timeout: .seconds(10)) { !answers(to: "1 firing", telegram).isEmpty })
        let status = try #require(answers(to: "1 firing", telegram).first)
        #expect(status.text.contains("<code>dependency_down:api</code>") && status.replyTo != nil)
        print("chat: /status answered in \(Date().timeIntervalSince(asked)) s")

        // A repeat is a reply to the fire.
        #expect(await eventually(timeout: .seconds(15)) { repeats(telegram) >= 1 })
        #expect(telegram.accepted.first { $0.text.hasPrefix("🔁") }?.replyTo == fire.messageID)

        // Refusals: another chat (nothing sent there, nothing changed), a member not among
        // the admins (answered "not allowed"), a button pressed by one (a toast, no edit).
        telegram.userSends("/silence dependency_down 1h", chatID: 999, userID: Self.alice, username: "alice")
        telegram.userSends(
            "/silence dependency_down 1h x", chatID: Self.chat, userID: Self.mallory, username: "mallory")
        telegram.userPresses(fire.buttons[0], on: fire.messageID, chatID: Self.chat, userID: Self.mallory)
        telegram.userPresses(fire.buttons[1], on: fire.messageID, chatID: 999, userID: Self.alice, username: "alice")
        try await watchdog.waitForStderr(occurrences: 1, of: "chat command from another chat ignored", timeout: 15)
        try await watchdog.waitForStderr(occurrences: 1, of: "chat command refused", timeout: 15)
        try await watchdog.waitForStderr(occurrences: 2, of: "button press", timeout: 15)
        #expect(watchdog.stderr.contains("sender_id=\(Self.mallory)"))
        #expect(await eventually(timeout: .seconds(10)) { telegram.callbackAnswers.count == 2 })
        #expect(telegram.callbackAnswers.allSatisfy { $0.text.contains("not allowed") })
        #expect(await eventually(timeout: .seconds(10)) { !answers(to: "not allowed", telegram).isEmpty })
        #expect(telegram.accepted.allSatisfy { $0.chatID == "\(Self.chat)" })
        #expect(telegram.edits.isEmpty)
        #expect(!watchdog.stderr.contains("silence made from the chat"))
        #expect(!watchdog.stderr.contains("button pressed"))

        // /silence stops the repeats; /unsilence brings them back.
        telegram.userSends(
            "/silence dependency_down:api 1h deploy", chatID: Self.chat, userID: Self.alice, username: "alice")
        #expect(await eventually(timeout: .seconds(10)) { !answers(to: "🔕 silence", telegram).isEmpty })
        let made = try #require(answers(to: "🔕 silence", telegram).first)
        #expect(made.text.contains("matches now: <code>dependency_down:api</code>"))
        let id = try #require(made.text.firstMatch(of: /chat-[0-9a-f]{8}/)).output
        try await waitTicks(2, watchdog)
        let repeatsWhileSilenced = repeats(telegram)
        try await waitTicks(5, watchdog)
        #expect(repeats(telegram) == repeatsWhileSilenced)
        telegram.userSends("/silences", chatID: Self.chat, userID: Self.alice, username: "alice")
        #expect(await eventually(timeout: .seconds(10)) { !answers(to: "1 silences in force", telegram).isEmpty })
        telegram.userSends("/unsilence \(id)", chatID: Self.chat, userID: Self.alice, username: "alice")
        #expect(await eventually(timeout: .seconds(10)) { !answers(to: "lifted", telegram).isEmpty })
        #expect(await eventually(timeout: .seconds(15)) { repeats(telegram) > repeatsWhileSilenced })

        // The Ack button: a toast, the message says who, its buttons go, repeats stop.
        telegram.userPresses(fire.buttons[0], on: fire.messageID, chatID: Self.chat, userID: 31337, username: "ALICE")
        #expect(await eventually(timeout: .seconds(10)) { telegram.callbackAnswers.count == 3 })
        #expect(telegram.callbackAnswers.last?.text.contains("acknowledged") == true)
        #expect(await eventually(timeout: .seconds(10)) { !telegram.edits.isEmpty })
        #expect(telegram.currentText(of: fire.messageID)?.contains("acknowledged by @ALICE") == true)
        #expect(telegram.currentButtons(of: fire.messageID).isEmpty)
        try await waitTicks(2, watchdog)
        let repeatsWhileAcked = repeats(telegram)
        try await waitTicks(5, watchdog)
        #expect(repeats(telegram) == repeatsWhileAcked)

        // The resolve still arrives, as a reply to the fire, and the fire says how it ended.
        down.set(false)
        #expect(await eventually(timeout: .seconds(15)) { telegram.accepted.contains { $0.text.hasPrefix("🟢") } })
        let resolve = try #require(telegram.accepted.first { $0.text.hasPrefix("🟢") })
        #expect(resolve.replyTo == fire.messageID)
        #expect(
            await eventually(timeout: .seconds(10)) {
                telegram.currentText(of: fire.messageID)?.contains("RESOLVED") == true
            })
        #expect(telegram.currentText(of: fire.messageID)?.contains("lasted") == true)

        watchdog.terminate()
        let result = try await watchdog.wait(timeout: 10)
        #expect(result.status == 0)
        #expect(!(result.stdout + result.stderr).contains(Self.botToken))
    }

    @Test func aRestartAnswersNoCommandTwice() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let dependency = try await ToggledDependency { _ in true }
        let directory = try TemporaryDirectory()
        let environment = environment(telegram: telegram, dependency: dependency, state: directory.path + "/s.json")
        let first = try WatchdogProcess.start(["run"], environment: environment)
        defer { first.kill() }
        try await first.waitForStderr(occurrences: 1, of: "reading the chat for commands", timeout: 30)
        let update = telegram.userSends("/status", chatID: Self.chat, userID: Self.alice, username: "alice")
        #expect(await eventually(timeout: .seconds(10)) { answers(to: "all clear", telegram).count == 1 })
        first.terminate()
        #expect(try await first.wait(timeout: 10).status == 0)

        let polled = telegram.polls.count
        let second = try WatchdogProcess.start(["run"], environment: environment)
        defer { second.kill() }
        #expect(await eventually(timeout: .seconds(30)) { telegram.polls.count > polled })
        #expect(telegram.polls.dropFirst(polled).first?.offset == update + 1)
        #expect(telegram.polls.allSatisfy { $0.timeout == 25 })
        try await waitTicks(3, second)
        #expect(answers(to: "all clear", telegram).count == 1)
        telegram.userSends("/status", chatID: Self.chat, userID: Self.alice, username: "alice")
        #expect(await eventually(timeout: .seconds(10)) { answers(to: "all clear", telegram).count == 2 })
        second.terminate()
        _ = try await second.wait(timeout: 10)
    }

    @Test func aConflictingPollerIsReportedOnceAndAlertsStillArrive() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        telegram.setConflict(true)
        let (watchdog, dependency) = try await start(telegram) { false }
        defer { watchdog.kill() }
        defer { withExtendedLifetime(dependency) {} }
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.contains { $0.text.hasPrefix("🔴") } })
        #expect(await eventually(timeout: .seconds(15)) { repeats(telegram) >= 2 })
        let reported = watchdog.stderr.components(separatedBy: "another program reads this bot's updates").count - 1
        #expect(reported == 1)
        watchdog.terminate()
        _ = try await watchdog.wait(timeout: 10)
    }

    /// The fire's id is in the state file: after a restart the resolve still replies to
    /// it and edits it.
    @Test func aThreadSurvivesARestart() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let down = Flag()
        down.set(true)
        let dependency = try await ToggledDependency { _ in !down.isSet }
        let directory = try TemporaryDirectory()
        var environment = environment(telegram: telegram, dependency: dependency, state: directory.path + "/s.json")
        environment["WATCHDOG_TELEGRAM_COMMANDS"] = "false"
        let first = try WatchdogProcess.start(["run"], environment: environment)
        defer { first.kill() }
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.contains { $0.text.hasPrefix("🔴") } })
        let fire = try #require(telegram.accepted.first { $0.text.hasPrefix("🔴") })
        #expect(fire.buttons.isEmpty)
        first.terminate()
        #expect(try await first.wait(timeout: 10).status == 0)
        down.set(false)
        let second = try WatchdogProcess.start(["run"], environment: environment)
        defer { second.kill() }
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.contains { $0.text.hasPrefix("🟢") } })
        #expect(telegram.accepted.first { $0.text.hasPrefix("🟢") }?.replyTo == fire.messageID)
        #expect(
            await eventually(timeout: .seconds(10)) {
                telegram.currentText(of: fire.messageID)?.contains("RESOLVED") == true
            })
        #expect(!telegram.server.requests.contains { $0.uri.hasSuffix("/getUpdates") })
        second.terminate()
        _ = try await second.wait(timeout: 10)
    }

    /// Slack with a bot token through the binary: the resolve in the alert's thread, the
    /// alert updated; the token in no log line.
    @Test func slackWithABotTokenThreadsTheResolveUnderItsAlert() async throws {
        let token = "xoxb-9-PROCESS-slack-secret"
        let slack = try await SlackWebAPIStandIn.start(token: token, channels: ["C42"], memberOf: ["C42"])
        defer { Task { await slack.stop() } }
        let down = Flag()
        down.set(true)
        let dependency = try await ToggledDependency { _ in !down.isSet }
        let directory = try TemporaryDirectory()
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: [
                "WATCHDOG_INTERVAL": "1s", "WATCHDOG_STATE_FILE": directory.path + "/s.json",
                "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100", "WATCHDOG_DEPS": "api=\(dependency.url)",
                "WATCHDOG_DEP_DOWN_AFTER": "1", "WATCHDOG_SLACK_BOT_TOKEN": token, "WATCHDOG_SLACK_CHANNEL": "C42",
                "WATCHDOG_SLACK_API_URL": slack.baseURL,
            ])
        defer { watchdog.kill() }
        #expect(await eventually(timeout: .seconds(30)) { !slack.messages.isEmpty })
        down.set(false)
        #expect(await eventually(timeout: .seconds(30)) { slack.messages.count == 2 && !slack.updates.isEmpty })
        let alert = try #require(slack.messages.first)
        #expect(slack.messages.last?.threadTS == alert.ts && slack.messages.last?.text.hasPrefix("🟢") == true)
        #expect(slack.updates.first?.ts == alert.ts && alert.text.contains("RESOLVED"))
        watchdog.terminate()
        let result = try await watchdog.wait(timeout: 10)
        #expect(!(result.stdout + result.stderr).contains(token))
    }
}
