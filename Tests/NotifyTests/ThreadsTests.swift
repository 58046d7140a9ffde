import Foundation
import Logging
import OutboundHTTP
import TestSupport
import Testing

@testable import Notify

/// SPEC §5 "Threads and edits": what the outbox remembers, what it resolves, and what
/// Telegram and Slack (with a bot token) do with it, against stand-ins of their APIs.
@Suite struct MessageReferencesTests {
    @Test func repliesAndEditsNameTheRecordedMessageAndAnEditForgetsIt() {
        var references = MessageReferences()
        references.delivered(MessageLinks(records: ["disk_full:/data"], buttonsKey: "disk_full:/data"), as: "17")
        let reply = references.resolve(MessageLinks(replyToKey: "disk_full:/data"))
        #expect(reply == ResolvedLinks(replyTo: "17"))
        #expect(references.resolve(MessageLinks(editsKey: "disk_full:/data"))?.edit == "17")
        #expect(references.key(ofButton: ButtonID.of("disk_full:/data")) == "disk_full:/data")
        references.delivered(MessageLinks(editsKey: "disk_full:/data"), as: nil)
        #expect(references.reference(of: "disk_full:/data") == nil)
        // Nothing to edit: the outbox lets the edit go without a call.
        #expect(references.resolve(MessageLinks(editsKey: "disk_full:/data")) == nil)
        #expect(references.resolve(MessageLinks(replyToKey: "disk_full:/data")) == ResolvedLinks())
    }

    /// An acknowledgement written into the fire (SPEC §4.3) keeps the fire's reference: its
    /// resolve still replies to it and edits it.
    @Test func aNoteWrittenIntoTheFireKeepsItsReference() {
        var references = MessageReferences()
        references.delivered(MessageLinks(records: ["k"]), as: "17")
        #expect(references.resolve(.annotating("k"))?.edit == "17")
        references.delivered(.annotating("k"), as: nil)
        #expect(references.reference(of: "k")?.message == "17")
        #expect(references.resolve(.annotating("gone")) == nil)
        #expect(MessageLinks.annotating("k").isEdit)
    }

    @Test func telegramAndMatrixWriteAnAcknowledgementIntoTheFire() throws {
        var note = AlertNotification(
            id: "dependency_down:db@1:acknowledge", action: .acknowledge, severity: .critical,
            family: "dependency_down", entity: "db", title: "Dependency db is down",
            detail: "acknowledged by <alice> (api) at 2027-01-15T08:01:00Z", instance: "h",
            startedAt: Date(timeIntervalSince1970: 1_800_000_000), at: Date(timeIntervalSince1970: 1_800_000_060),
            quiet: true)
        note.fireDetail = "503 from http://db/health"
        let telegram = TelegramRenderer(language: .en, silentResolved: true).render(.single(note))
        #expect(telegram.count == 1)
        #expect(telegram.first?.links == .annotating("dependency_down:db"))
        #expect(telegram.first?.body.contains("503 from http://db/health") == true)
        #expect(telegram.first?.body.contains("👍 acknowledged by &lt;alice&gt; (api)") == true)
        #expect(telegram.first?.body.hasPrefix("🔴") == true)
        let matrix = MatrixRenderer(language: .en).render(.single(note))
        #expect(matrix.count == 1 && matrix.first?.links == .annotating("dependency_down:db"))
        #expect(matrix.first?.body.contains("acknowledged by &lt;alice&gt;") == true)
    }

    /// A cause that gained effects (SPEC §4.2): the channels that edit rewrite its fire
    /// with every effect, Telegram keeping its buttons; the others get a short follow-up
    /// with what was added; PagerDuty's incident is left as it is.
    @Test func aCausesNewEffectsRewriteItsFireWhereTheChannelEdits() throws {
        var update = AlertNotification(
            id: "container_down:db@1:effects@60", action: .effects, severity: .critical, family: "container_down",
            entity: "db", title: "Container db is down",
            detail: "also affected: <api> (container down)", instance: "h",
            startedAt: Date(timeIntervalSince1970: 1_800_000_000), at: Date(timeIntervalSince1970: 1_800_000_060),
            quiet: true)
        update.fireDetail = "crashed with exit code 1\nalso affected: <api> (container down), web (container down)"
        let telegram = TelegramRenderer(language: .en, silentResolved: true, buttons: true).render(.single(update))
        #expect(telegram.count == 1 && telegram[0].links.annotatesKey == "container_down:db")
        #expect(telegram[0].links.buttonsKey == "container_down:db" && telegram[0].silent)
        #expect(telegram[0].body.hasPrefix("🔴") && telegram[0].body.contains("web (container down)"))
        #expect(telegram[0].body.contains("&lt;api&gt;"))
        let matrix = MatrixRenderer(language: .en).render(.single(update))
        #expect(matrix.count == 1 && matrix[0].links == .annotating("container_down:db"))
        #expect(matrix[0].body.contains("web (container down)"))
        let slack = SlackRenderer(language: .en).render(.single(update), threaded: true)
        #expect(slack.count == 1 && slack[0].links == .annotating("container_down:db"))
        #expect(slack[0].body.contains("web (container down)") && slack[0].body.contains("🔴"))
        let discord = DiscordRenderer(language: .en).render(.single(update))
        #expect(discord.count == 1 && discord[0].links == .annotating("container_down:db"))
        #expect(discord[0].body.contains(#"web \\(container down\\)"#))
        // Without edits: what was added, and nothing else.
        let webhookSlack = SlackRenderer(language: .en).render(.single(update))
        #expect(webhookSlack.count == 1 && webhookSlack[0].links == .none)
        #expect(webhookSlack[0].body.contains("🔗") && !webhookSlack[0].body.contains("web (container down)"))
        #expect(EmailChannel.tag(.single(update)) == "[ALSO AFFECTED]")
        // The Telegram edit keeps the buttons: the body asks for them again.
        let body = TelegramAPI.editMessageTextBody(
            chatID: "1", messageID: "2", text: "t", buttons: [.init(text: "Ack", data: "ack:x")])
        #expect(String(decoding: body, as: UTF8.self).contains(#""reply_markup""#))
    }

    @Test func aDigestIsRepliedToButNeverEditedForOneOfItsKeys() {
        var references = MessageReferences()
        references.delivered(MessageLinks(records: ["a", "b"]), as: "5")
        #expect(references.resolve(MessageLinks(replyToKey: "b"))?.replyTo == "5")
        #expect(references.resolve(MessageLinks(editsKey: "a")) == nil)
    }

    @Test func theBookIsBoundedOldestFirstAndSurvivesTheStateFileInOrder() throws {
        var references = MessageReferences()
        for index in 0..<(MessageReferences.capacity + 5) {
            references.delivered(MessageLinks(records: ["k\(index)"], buttonsKey: "k\(index)"), as: "\(index)")
        }
        #expect(references.byKey.count == MessageReferences.capacity)
        #expect(references.buttons.count == MessageReferences.capacity)
        #expect(references.reference(of: "k0") == nil && references.reference(of: "k1004")?.message == "1004")
        let decoded = try JSONDecoder().decode(MessageReferences.self, from: JSONEncoder().encode(references))
        #expect(decoded == references)
    }

    @Test func aButtonIDFitsTelegramsCallbackDataForAnyKey() {
        let key = "container_down:" + String(repeating: "very-long-container-name-", count: 20)
        #expect(("ack:" + ButtonID.of(key)).utf8.count <= 64)
        #expect(ButtonID.of(key) == ButtonID.of(key) && ButtonID.of(key) != ButtonID.of(key + "x"))
    }

    @Test func outboxesSavedBeforeThreadsStillLoad() throws {
        let old = #"{"id":"a","body":"b","silent":true}"#
        let message = try JSONDecoder().decode(OutboundMessage.self, from: Data(old.utf8))
        #expect(message.links == .none && message.silent)
    }

    @Test func theStateMachineRecordsWhatWasDeliveredAndSkipsAnEditWithNothingToEdit() {
        var machine = OutboxStateMachine(pacing: .unlimited)
        let fire = OutboundMessage(id: "f", body: "fire", links: MessageLinks(records: ["k"]))
        let orphanEdit = OutboundMessage(id: "e0", body: "x", links: MessageLinks(editsKey: "other"))
        let edit = OutboundMessage(id: "e", body: "done", links: MessageLinks(editsKey: "k"))
        machine.stage([fire, orphanEdit, edit])
        _ = machine.release { _, _ in nil }
        #expect(machine.next(at: .zero) == .send(fire))
        _ = machine.finished(fire, outcome: .deliveredAs(reference: "9"), at: .zero, unit: 0)
        #expect(machine.next(at: .zero) == .send(edit))
        #expect(machine.resolvedLinks(of: edit).edit == "9")
        _ = machine.finished(edit, outcome: .permanent(reason: "message to edit not found"), at: .zero, unit: 0)
        #expect(machine.references.reference(of: "k") == nil)
        #expect(machine.next(at: .zero) == .waitForWork)
    }
}

@Suite struct TelegramThreadTests {
    static let token = "555:THREAD-token"

    func channel(_ standIn: TelegramStandIn, commands: Bool = true) -> TelegramChannel {
        TelegramChannel(
            settings: TelegramSettings(
                token: Self.token, chatID: "42", threadID: nil, silentResolved: true, apiBaseURL: standIn.baseURL,
                commands: commands),
            language: .en, post: HTTPPost(timeout: .seconds(5)), logger: Logger(label: "test"))
    }

    /// Sends `messages` through a real outbox and waits until it is empty.
    func deliver(_ messages: [OutboundMessage], through outbox: ChannelOutbox<ContinuousClock>) async {
        await outbox.stage(messages: messages)
        await outbox.release()
        _ = await Delivery(outboxes: [outbox], digestAfter: 5).drain(timeout: .seconds(20), clock: ContinuousClock())
    }

    @Test func aRepeatAndTheResolveReplyToTheFireWhichIsEditedWithTheOutcome() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let channel = channel(standIn)
        let outbox = ChannelOutbox(channel: channel, clock: ContinuousClock(), logger: Logger(label: "test"))
        await deliver(channel.render(.single(notification("f", .fire))), through: outbox)
        await deliver(channel.render(.single(notification("r", .repeat))), through: outbox)
        await deliver(channel.render(.single(notification("d", .resolve))), through: outbox)
        let sent = standIn.accepted
        #expect(sent.count == 3)
        let fire = try #require(sent.first)
        #expect(fire.buttons.count == 3 && fire.replyTo == nil)
        #expect(sent.dropFirst().allSatisfy { $0.replyTo == fire.messageID && $0.buttons.isEmpty })
        let edited = try #require(standIn.currentText(of: fire.messageID))
        #expect(
            edited.contains("RESOLVED") && edited.contains("lasted 5m 12s") && edited.contains("Disk is almost full"))
        #expect(standIn.currentButtons(of: fire.messageID).isEmpty)
        #expect(await outbox.references.reference(of: "disk_full:/data") == nil)
    }

    @Test func aDeletedFireStillGetsItsResolveAndTheEditIsDroppedAsPermanent() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let channel = channel(standIn, commands: false)
        let outbox = ChannelOutbox(channel: channel, clock: ContinuousClock(), logger: Logger(label: "test"))
        await deliver(channel.render(.single(notification("f", .fire))), through: outbox)
        #expect(standIn.accepted.first?.buttons.isEmpty == true)
        standIn.delete(messageID: 1)
        await deliver(channel.render(.single(notification("d", .resolve))), through: outbox)
        #expect(standIn.accepted.count == 2 && standIn.accepted.last?.replyTo == nil)
        #expect(await outbox.counters.rejected == 1)
        #expect(standIn.edits.isEmpty)
    }

    @Test func anEditThatChangesNothingIsDeliveredAndOneThatCannotBeMadeIsPermanent() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let channel = channel(standIn)
        let sent = await channel.send(OutboundMessage(id: "a", body: "same"))
        #expect(sent == .deliveredAs(reference: "1"))
        let edit = OutboundMessage(id: "e", body: "same", links: MessageLinks(editsMessage: "1"))
        #expect(await channel.send(edit, links: ResolvedLinks(edit: "1")) == .delivered)
        standIn.inject([.notEditable])
        let refused = await channel.send(
            OutboundMessage(id: "e2", body: "other", links: MessageLinks(editsMessage: "1")),
            links: ResolvedLinks(edit: "1"))
        guard case .permanent(let reason) = refused else {
            Issue.record("expected permanent, got \(refused)")
            return
        }
        #expect(reason.contains("message can't be edited") && !reason.contains(Self.token))
        let missing = await channel.send(
            OutboundMessage(id: "e3", body: "other", links: MessageLinks(editsMessage: "99")),
            links: ResolvedLinks(edit: "99"))
        #expect(missing == .permanent(reason: "HTTP 400: Bad Request: message to edit not found"))
    }

    @Test func aDigestIsOneReferenceForItsFiresAndItsResolvesEditNothing() {
        let renderer = TelegramRenderer(language: .en, silentResolved: true, buttons: true)
        let fires = (0..<6).map { notification("f\($0)", .fire, key: "/d\($0)") }
        let digest = renderer.render(.digest(fires))
        #expect(digest.count == 1 && digest[0].links.records.count == 6 && digest[0].links.buttonsKey == nil)
        let resolves = renderer.render(.digest(fires.map { notification($0.id, .resolve, key: $0.entity) }))
        #expect(resolves.count == 1 && !resolves[0].links.isEdit)
    }
}

@Suite struct SlackBotTests {
    static let token = "xoxb-1111-SECRET-slack"

    func channel(_ standIn: SlackWebAPIStandIn, channel: String = "C100", token: String = SlackBotTests.token)
        -> SlackBotChannel
    {
        SlackBotChannel(
            token: token, channel: channel, apiBaseURL: standIn.baseURL, language: .en,
            post: HTTPPost(timeout: .seconds(5)))
    }

    @Test func theResolveGoesInTheAlertsThreadAndTheAlertIsUpdated() async throws {
        let standIn = try await SlackWebAPIStandIn.start(token: Self.token, channels: ["C100"], memberOf: ["C100"])
        defer { Task { await standIn.stop() } }
        let slack = channel(standIn)
        let outbox = ChannelOutbox(channel: slack, clock: ContinuousClock(), logger: Logger(label: "test"))
        for batch in [notification("f", .fire), notification("r", .repeat), notification("d", .resolve)] {
            await outbox.stage(messages: slack.render(.single(batch)))
        }
        await outbox.release()
        let left = await Delivery(outboxes: [outbox], digestAfter: 5).drain(
            timeout: .seconds(20), clock: ContinuousClock())
        #expect(left.isEmpty)
        let messages = standIn.messages
        #expect(messages.count == 3)
        let alert = try #require(messages.first)
        #expect(alert.threadTS == nil && messages.dropFirst().allSatisfy { $0.threadTS == alert.ts })
        #expect(standIn.updates.map(\.ts) == [alert.ts])
        #expect(messages.first?.text.contains("RESOLVED") == true)
        #expect(standIn.server.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(Self.token)" })
    }

    @Test func slacksErrorWordsDecideBetweenRetryAndDrop() async throws {
        let standIn = try await SlackWebAPIStandIn.start(
            token: Self.token, channels: ["C100", "C200"], memberOf: ["C100"])
        defer { Task { await standIn.stop() } }
        let message = OutboundMessage(id: "m", body: "hello")
        #expect(
            await channel(standIn, channel: "C200").send(message)
                == .permanent(reason: "chat.postMessage: HTTP 200: not_in_channel"))
        #expect(
            await channel(standIn, channel: "C999").send(message)
                == .permanent(reason: "chat.postMessage: HTTP 200: channel_not_found"))
        let wrong = await channel(standIn, token: "xoxb-wrong").send(message)
        #expect(wrong == .permanent(reason: "chat.postMessage: HTTP 200: invalid_auth"))
        standIn.inject([.rateLimited(retryAfter: 7), .error("ratelimited"), .serverError(503)])
        #expect(
            await channel(standIn).send(message)
                == .retryable(reason: "chat.postMessage: HTTP 429: ratelimited", retryAfter: 7))
        #expect(
            await channel(standIn).send(message)
                == .retryable(reason: "chat.postMessage: HTTP 200: ratelimited", retryAfter: nil))
        #expect(
            await channel(standIn).send(message) == .retryable(reason: "chat.postMessage: HTTP 503", retryAfter: nil))
        let update = OutboundMessage(id: "u", body: "x", links: MessageLinks(editsKey: "k"))
        #expect(
            await channel(standIn).send(update, links: ResolvedLinks(edit: "1.2"))
                == .permanent(reason: "chat.update: HTTP 200: message_not_found"))
        #expect(await channel(standIn).send(message).isDelivered)
        #expect(!standIn.server.requests.isEmpty)
        #expect(!channel(standIn).destination.contains(Self.token))
    }
}
