import Foundation
import TestSupport
import Testing

/// SPEC §13 in Matrix, through the real binary and a real Synapse on loopback: commands
/// and 👍 from the room, who may act by power level and by the admins list, every
/// refusal, a restart that answers nothing twice, history that never runs, an
/// invitation accepted, and an encrypted room refused at start.
@Suite(.serialized, .enabled(if: RealSynapse.available || Apprise.required))
struct MatrixChatProcessTests {
    static let reader = "@reader:localhost"
    static let stranger = "@stranger:localhost"

    func url(_ synapse: RealSynapse, room: String = "#ops:localhost", query: String = "commands=yes") -> String {
        let host = synapse.baseURL.replacingOccurrences(of: "http://", with: "")
        return "matrix://\(synapse.botToken)@\(host)/\(room)?\(query)"
    }

    func environment(_ url: String, dependency: ToggledDependency, state: String) -> [String: String] {
        [
            "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_STATE_FILE": state,
            "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100", "WATCHDOG_COOLDOWN": "2s",
            "WATCHDOG_DEPS": "api=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
            "WATCHDOG_NOTIFY_OPS": url,
        ]
    }

    static func content(_ event: [String: Any]) -> [String: Any] { event["content"] as? [String: Any] ?? [:] }
    static func body(_ event: [String: Any]) -> String { content(event)["body"] as? String ?? "" }

    /// The bot's messages replying to `event`.
    func answers(to event: String, in room: String, _ synapse: RealSynapse) async throws -> [[String: Any]] {
        try await synapse.messages(in: room).filter { message in
            let relation = Self.content(message)["m.relates_to"] as? [String: Any]
            let reply = relation?["m.in_reply_to"] as? [String: Any]
            return message["sender"] as? String == "@watchdog:localhost" && reply?["event_id"] as? String == event
        }
    }

    func waitForAnswer(to event: String, in room: String, _ synapse: RealSynapse) async throws -> String {
        var found: [[String: Any]] = []
        for _ in 0..<300 {
            found = try await answers(to: event, in: room, synapse)
            if !found.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(!found.isEmpty, "no answer to \(event)")
        return found.map(Self.body).joined(separator: "\n")
    }

    @Test func anAdminActsFromTheRoomAndAStrangerChangesNothing() async throws {
        let synapse = try await RealSynapse.start()
        defer { synapse.stop() }
        let room = try await synapse.createRoom(alias: "ops")
        let strangerToken = try await synapse.addUser("stranger")
        try await synapse.join(room, token: strangerToken)
        // The reader is a moderator (50, the default min_power); the stranger stays at 0.
        try await synapse.setPowerLevel(50, of: Self.reader, in: room)
        let down = Flag()
        down.set(true)
        let dependency = try await ToggledDependency { _ in !down.isSet }
        defer { withExtendedLifetime(dependency) {} }
        let directory = try TemporaryDirectory()
        let watchdog = try WatchdogProcess.start(
            ["run"], environment: environment(url(synapse), dependency: dependency, state: directory.path + "/s.json"),
            keeping: directory)
        defer { watchdog.kill() }
        try await watchdog.waitForStderr(occurrences: 1, of: "reading the Matrix room for commands", timeout: 60)

        // The fire arrives; its repeats follow every 2 s.
        var fire: [String: Any]?
        for _ in 0..<300 where fire == nil {
            fire = try await synapse.messages(in: room).first { Self.body($0).contains("dependency_down:api") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let fireID = try #require(fire?["event_id"] as? String)

        // An admin's !status, answered as a reply.
        let asked = Date()
        let status = try await synapse.say("!status", in: room, token: synapse.readerToken)
        let statusAnswer = try await waitForAnswer(to: status, in: room, synapse)
        print("matrix chat: !status answered in \(Date().timeIntervalSince(asked)) s")
        #expect(statusAnswer.contains("1 firing") && statusAnswer.contains("dependency_down:api"))

        // A stranger's !silence and 👍 change nothing and are told so; the log names them.
        let silence = try await synapse.say("!silence dependency_down 1h", in: room, token: strangerToken)
        #expect(try await waitForAnswer(to: silence, in: room, synapse).contains("not allowed"))
        _ = try await synapse.react("👍", to: fireID, in: room, token: strangerToken)
        try await watchdog.waitForStderr(occurrences: 1, of: "reaction refused", timeout: 15)
        try await watchdog.waitForStderr(occurrences: 1, of: "chat command refused", timeout: 15)
        #expect(watchdog.stderr.contains("sender_id=\(Self.stranger)"))
        #expect(!watchdog.stderr.contains("silence made from the chat"))
        #expect(!watchdog.stderr.contains("acknowledged from the chat"))

        // The admin's 👍 acknowledges: the fire is edited to say who, and repeats stop.
        for _ in 0..<300 where try await synapse.thread(of: fireID, in: room).isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = try await synapse.react("👍️", to: fireID, in: room, token: synapse.readerToken)
        try await watchdog.waitForStderr(occurrences: 1, of: "acknowledged from the chat", timeout: 15)
        var edit: [String: Any]?
        for _ in 0..<300 where edit == nil {
            edit = try await synapse.messages(in: room).first { message in
                let relation = Self.content(message)["m.relates_to"] as? [String: Any]
                return relation?["rel_type"] as? String == "m.replace" && relation?["event_id"] as? String == fireID
                    && Self.body(message).contains("acknowledged by")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let edited = try #require(edit)
        let newContent = try #require(Self.content(edited)["m.new_content"] as? [String: Any])
        #expect((newContent["body"] as? String)?.contains("acknowledged by @\u{200B}reader:localhost") == true)
        // Repeats come every 2 s; one may have been on its way at the ack.
        try await Task.sleep(for: .seconds(2))
        let repeatsAtAck = try await synapse.thread(of: fireID, in: room).count
        try await Task.sleep(for: .seconds(5))
        #expect(try await synapse.thread(of: fireID, in: room).count == repeatsAtAck)

        // !silence, !silences, !help; a command written to another bot is not ours.
        let made = try await synapse.say("!silence dependency_down 2h deploy", in: room, token: synapse.readerToken)
        #expect(try await waitForAnswer(to: made, in: room, synapse).contains("matches now: dependency_down:api"))
        let list = try await synapse.say("!silences", in: room, token: synapse.readerToken)
        #expect(try await waitForAnswer(to: list, in: room, synapse).contains("deploy"))
        let help = try await synapse.say("!help", in: room, token: synapse.readerToken)
        #expect(try await waitForAnswer(to: help, in: room, synapse).contains("!ack KEY"))
        // !history: the incident, open, acknowledged by the reader; the stranger learns nothing.
        let history = try await synapse.say("!history 2h", in: room, token: synapse.readerToken)
        let told = try await waitForAnswer(to: history, in: room, synapse)
        #expect(told.contains("1 incident") && told.contains("dependency_down:api") && told.contains("open for"))
        #expect(told.contains("@\u{200B}reader:localhost after") || told.contains("@reader:localhost after"), "\(told)")
        let peek = try await synapse.say("!history", in: room, token: strangerToken)
        #expect(try await waitForAnswer(to: peek, in: room, synapse).contains("not allowed"))
        // A command in the fire's thread is answered in that thread.
        let threaded = try await synapse.say("!silences", in: room, token: synapse.readerToken, thread: fireID)
        #expect(try await waitForAnswer(to: threaded, in: room, synapse).contains("deploy"))
        let inThread = try await answers(to: threaded, in: room, synapse).first.map(Self.content)
        let relation = inThread?["m.relates_to"] as? [String: Any]
        #expect(relation?["rel_type"] as? String == "m.thread" && relation?["event_id"] as? String == fireID)
        let other = try await synapse.say("!deploy web", in: room, token: synapse.readerToken)
        try await Task.sleep(for: .seconds(2))
        #expect(try await answers(to: other, in: room, synapse).isEmpty)
        // Nothing the bot said carries the token.
        #expect(!watchdog.stderr.contains(synapse.botToken))
    }

    @Test func aRestartAnswersNothingTwiceHistoryNeverRunsAndAnInvitationIsAccepted() async throws {
        let synapse = try await RealSynapse.start()
        defer { synapse.stop() }
        // A private room of the reader's: the bot is not in it, and the admins list says
        // who may act.
        let room = try await synapse.createRoom(alias: "private", byReader: true)
        let history = try await synapse.say("!status", in: room, token: synapse.readerToken)
        let dependency = try await ToggledDependency { _ in true }
        defer { withExtendedLifetime(dependency) {} }
        let directory = try TemporaryDirectory()
        let environment = environment(
            url(synapse, room: "#private:localhost", query: "commands=yes&admins=\(Self.reader)"),
            dependency: dependency, state: directory.path + "/s.json")
        let first = try WatchdogProcess.start(["run"], environment: environment, keeping: directory)
        defer { first.kill() }
        try await first.waitForStderr(occurrences: 1, of: "waiting for an invitation", timeout: 60)
        try await synapse.invite("@watchdog:localhost", to: room, token: synapse.readerToken)
        try await first.waitForStderr(occurrences: 1, of: "joined the Matrix room", timeout: 60)
        let help = try await synapse.say("!help", in: room, token: synapse.readerToken)
        _ = try await waitForAnswer(to: help, in: room, synapse)
        first.kill()
        _ = try await first.wait(timeout: 10)

        // Said while the watchdog is down: answered once after the restart.
        let pending = try await synapse.say("!silences", in: room, token: synapse.readerToken)
        let second = try WatchdogProcess.start(["run"], environment: environment)
        defer { second.kill() }
        #expect(try await waitForAnswer(to: pending, in: room, synapse).contains("no silences"))
        second.terminate()
        _ = try await second.wait(timeout: 10)
        let third = try WatchdogProcess.start(["run"], environment: environment)
        defer { third.kill() }
        try await third.waitForStderr(occurrences: 1, of: "tick done", timeout: 30)
        let last = try await synapse.say("!status", in: room, token: synapse.readerToken)
        #expect(try await waitForAnswer(to: last, in: room, synapse).contains("all clear"))
        #expect(try await answers(to: help, in: room, synapse).count == 1)
        #expect(try await answers(to: pending, in: room, synapse).count == 1)
        #expect(try await answers(to: history, in: room, synapse).isEmpty)
    }

    @Test func anEncryptedRoomIsRefusedAtStartNamingItsVariable() async throws {
        let synapse = try await RealSynapse.start()
        defer { synapse.stop() }
        _ = try await synapse.createRoom(alias: "vault", encrypted: true)
        let dependency = try await ToggledDependency { _ in true }
        defer { withExtendedLifetime(dependency) {} }
        for query in ["commands=yes", "commands=no"] {
            let result = try await WatchdogProcess.run(
                ["run"],
                environment: environment(
                    url(synapse, room: "#vault:localhost", query: query), dependency: dependency, state: ""),
                timeout: 60)
            #expect(result.status == 2)
            #expect(result.stderr.contains("WATCHDOG_NOTIFY_OPS: room #vault:localhost is end-to-end encrypted"))
            #expect(!result.stderr.contains(synapse.botToken))
        }
    }
}
