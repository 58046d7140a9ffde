import Foundation
import Logging
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// `ChatConversation` in process, against the Telegram stand-in: the answers a
/// production chat needs that the binary's test does not reach.
@Suite struct ChatConversationTests {
    static let token = "999:CONVERSATION-token"
    static let chat: Int64 = -100_555

    struct Fixture {
        let standIn: TelegramStandIn
        let engine: TickEngine<ContinuousClock>
        let outbox: ChannelOutbox<ContinuousClock>
        let conversation: ChatConversation<ContinuousClock>

        /// Runs `text` as a command of user 7 (`@alice`) and returns the answers sent.
        func ask(_ text: String) async -> [TelegramStandIn.Message] {
            let before = standIn.accepted.count
            let id = standIn.userSends(text, chatID: ChatConversationTests.chat, userID: 7, username: "alice")
            let update = TelegramUpdate(
                updateID: id,
                message: .init(
                    messageID: Int64(standIn.lastMessageID), chatID: ChatConversationTests.chat,
                    sender: .init(id: 7, username: "alice"), text: text))
            await conversation.handle([update], botName: "wd_bot")
            _ = await Delivery(outboxes: [outbox], digestAfter: 5).drain(
                timeout: .seconds(30), clock: ContinuousClock())
            return Array(standIn.accepted.dropFirst(before))
        }

        /// A fire of `container_down:<entity>` as the outbox sends it, with its buttons: they
        /// are remembered once it is out. Returns the message the chat got.
        func deliverFire(entity: String) async throws -> TelegramStandIn.Message {
            let fire = AlertNotification(
                id: "f", action: .fire, severity: .critical, family: "container_down", entity: entity,
                title: "Container is down", detail: "exited", instance: "box-1", startedAt: Date(), at: Date())
            let renderer = TelegramRenderer(language: .en, silentResolved: true, buttons: true)
            await outbox.stage(messages: renderer.render(.single(fire)))
            await outbox.release()
            _ = await Delivery(outboxes: [outbox], digestAfter: 5).drain(
                timeout: .seconds(10), clock: ContinuousClock())
            return try #require(standIn.accepted.last)
        }

        /// User 7 (`@alice`), or `userID`, presses `data` under message `messageID`; returns
        /// the toast.
        func press(_ data: String, on messageID: Int, userID: Int64 = 7, username: String? = "alice") async -> String? {
            let before = standIn.callbackAnswers.count
            let id = standIn.userPresses(data, on: messageID, chatID: ChatConversationTests.chat, userID: userID)
            let update = TelegramUpdate(
                updateID: id,
                callback: .init(
                    id: "cb\(id)", sender: .init(id: userID, username: username),
                    message: .init(
                        messageID: Int64(messageID), chatID: ChatConversationTests.chat, sender: nil, text: nil),
                    data: data))
            await conversation.handle([update], botName: "wd_bot")
            _ = await Delivery(outboxes: [outbox], digestAfter: 5).drain(
                timeout: .seconds(30), clock: ContinuousClock())
            return standIn.callbackAnswers.dropFirst(before).first?.text
        }
    }

    func fixture(
        firing count: Int, mute: [SignalKey] = [], entity: String = "service-with-a-rather-long-name-"
    ) async throws -> Fixture {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        let now = Date()
        var state = EngineState()
        for index in 0..<count {
            let key = SignalKey(.containerDown, "\(entity)\(index)")
            state.alerts[key] = TrackedAlert(
                state: AlertState(firing: true, activeCount: 1, since: now, lastNotified: now),
                signal: Signal(
                    key: key, active: true, severity: .critical, title: "Container is down", detail: "exited"),
                announced: true)
        }
        let texts = Texts(.en)
        let settings = DecisionSettings(
            instance: "box-1", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(1800), processCooldown: nil), texts: texts)
        let engine = TickEngine(
            sources: [], settings: settings, collectTimeout: .seconds(5), clock: ContinuousClock(), state: state)
        let channel = TelegramChannel(
            settings: TelegramSettings(
                token: Self.token, chatID: "\(Self.chat)", threadID: nil, silentResolved: true,
                apiBaseURL: standIn.baseURL, commands: true),
            language: .en, post: HTTPPost(timeout: .seconds(5)), logger: Logger(label: "test"))
        // A group's pacing (20 a minute) would make a long answer slow; the test is not about pacing.
        let outbox = ChannelOutbox(channel: channel, clock: ContinuousClock(), logger: Logger(label: "test"))
        let store = StateStore(path: nil, engine: state, logger: Logger(label: "test"), now: { Date() })
        await store.setEngineSource { await engine.state }
        let status = WatchdogStatus(configured: try ConfiguredSilences(mute: mute), instance: "box-1")
        let conversation = ChatConversation(
            engine: engine, store: store, status: status, outbox: outbox, channel: channel, language: .en,
            logger: Logger(label: "test"), now: { Date() })
        return Fixture(standIn: standIn, engine: engine, outbox: outbox, conversation: conversation)
    }

    @Test func aLongStatusIsSplitAtTelegramsLimitAndEveryPartIsAccepted() async throws {
        let fixture = try await fixture(firing: 60)
        defer { Task { await fixture.standIn.stop() } }
        let answers = await fixture.ask("/status")
        #expect(answers.count >= 2)
        #expect(answers.allSatisfy { $0.silent && $0.chatID == "\(Self.chat)" })
        #expect(answers.first?.replyTo != nil && answers.dropFirst().allSatisfy { $0.replyTo == nil })
        let text = answers.map(\.text).joined(separator: "\n")
        #expect(text.contains("60 firing") && text.contains("service-with-a-rather-long-name-59"))
    }

    @Test func configuredSilencesCannotBeLiftedAndAnAckOfAQuietKeyIsRefused() async throws {
        let fixture = try await fixture(firing: 1, mute: [SignalKey(.diskFull)])
        defer { Task { await fixture.standIn.stop() } }
        #expect(await fixture.ask("/unsilence mute-1").first?.text.contains("comes from the configuration") == true)
        #expect(await fixture.ask("/unsilence chat-00000000").first?.text.contains("no silence") == true)
        #expect(await fixture.ask("/ack disk_full:/data").first?.text.contains("is not firing") == true)
        #expect(await fixture.engine.state.silences.acknowledgements.isEmpty)
        let silences = await fixture.ask("/silences")
        #expect(silences.first?.text.contains("<code>mute-1</code>") == true)
        #expect(await fixture.ask("/silence disk_full 45d").first?.text.contains("at most 30d") == true)
        #expect(await fixture.engine.state.silences.silences.isEmpty)
        // Outside text in a command comes back escaped.
        let hostile = await fixture.ask("/ack <b>x</b>")
        #expect(hostile.first?.text.contains("&lt;b&gt;") == true)
    }

    @Test func silenceAndAckChangeTheEngineAndSayWhatTheyMatch() async throws {
        let fixture = try await fixture(firing: 2)
        defer { Task { await fixture.standIn.stop() } }
        let made = await fixture.ask("/silence container_down:*-1 2h rollout")
        #expect(
            made.first?.text.contains("matches now: <code>container_down:service-with-a-rather-long-name-1</code>")
                == true)
        let silence = try #require(await fixture.engine.state.silences.silences.first)
        #expect(silence.origin == .chat && silence.createdBy == "@alice" && silence.comment == "rollout")
        #expect(silence.endsAt.map { $0.timeIntervalSince(silence.startsAt) } == 7_200)
        let acked = await fixture.ask("/ack container_down:service-with-a-rather-long-name-0")
        #expect(acked.first?.text.contains("acknowledged by @alice") == true)
        let status = await fixture.ask("/status")
        #expect(status.first?.text.contains("👍 acked by @alice") == true)
        #expect(status.first?.text.contains("🔕 silenced by \(silence.id)") == true)
        #expect(await fixture.ask("/unsilence \(silence.id)").first?.text.contains("lifted") == true)
        #expect(await fixture.engine.state.silences.silences.first?.isActive(at: Date()) == false)
    }

    @Test func silenceButtonsSilenceTheKeyAndSayWhoAndOldOrForeignPressesChangeNothing() async throws {
        let fixture = try await fixture(firing: 1)
        defer { Task { await fixture.standIn.stop() } }
        let key = "container_down:service-with-a-rather-long-name-0"
        let sent = try await fixture.deliverFire(entity: "service-with-a-rather-long-name-0")
        #expect(sent.buttons.count == 3)

        #expect(await fixture.press("s1h:nosuchid", on: sent.messageID) == "this button is too old")
        #expect(await fixture.press(sent.buttons[1], on: sent.messageID, userID: 8, username: nil) != nil)
        #expect(await fixture.engine.state.silences.silences.count == 1)  // everyone may act: no admins set
        let toast = await fixture.press(sent.buttons[2], on: sent.messageID)
        #expect(toast == "🔕 silenced for 1d")
        let silences = await fixture.engine.state.silences.silences
        #expect(silences.count == 2 && silences.allSatisfy { $0.matchers.map(\.description) == ["key=\"\(key)\""] })
        #expect(silences.last.flatMap { $0.endsAt?.timeIntervalSince($0.startsAt) } == 86_400)
        let shown = try #require(fixture.standIn.currentText(of: sent.messageID))
        #expect(shown.contains("🔕 silenced for 1d by @alice") && shown.contains("Container is down"))
        #expect(fixture.standIn.currentButtons(of: sent.messageID).isEmpty)
    }
}
