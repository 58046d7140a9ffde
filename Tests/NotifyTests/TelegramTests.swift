import Foundation
import Logging
import TestSupport
import Testing

@testable import Notify

func notification(
    _ id: String, _ action: NotificationAction = .fire, key entity: String? = "/data",
    title: String = "Disk is almost full",
    detail: String = "93% used", instance: String = "host-1"
) -> AlertNotification {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    return AlertNotification(
        id: id, action: action, severity: .critical, family: "disk_full", entity: entity, title: title, detail: detail,
        instance: instance, startedAt: start, at: start.addingTimeInterval(action == .resolve ? 312 : 0))
}

@Suite struct TelegramTextTests {
    @Test(arguments: [
        ("plain", 5), ("<b>bold</b>", 4), ("a &amp; b", 5), ("&lt;tag&gt;", 5), ("🔴", 2), ("<code>é</code>", 1),
    ])
    func visibleLengthCountsUTF16AfterEntities(html: String, length: Int) {
        #expect(TelegramText.visibleLength(html) == length)
    }

    @Test func splitKeepsEveryPartWithinTheLimitAndOnlyBreaksBetweenLines() {
        let lines = (0..<50).map { "<b>line \($0)</b> " + String(repeating: "x", count: 90) }
        let parts = TelegramText.split(lines: lines, limit: 1_000)
        #expect(parts.count > 1)
        #expect(parts.allSatisfy { TelegramText.visibleLength($0) <= 1_000 })
        #expect(parts.joined(separator: "\n") == lines.joined(separator: "\n"))
    }

    @Test func aLineOverTheLimitIsReducedToTextWithoutCuttingAnEntity() {
        let line = "<b>" + String(repeating: "&amp;", count: 3_000) + "</b>"
        let parts = TelegramText.split(lines: [line], limit: 100)
        #expect(parts.count == 1)
        #expect(TelegramText.visibleLength(parts[0]) <= 100)
        #expect(!parts[0].contains("<b>"))
        #expect(parts[0].hasSuffix("&amp;…"))
    }
}

@Suite struct TelegramRendererTests {
    let renderer = TelegramRenderer(language: .en, silentResolved: true)

    @Test func outsideTextIsEscapedSoTheHTMLAlwaysParses() throws {
        let hostile = notification(
            "n1", key: "<script>&", title: "a < b & c > d", detail: "<b>not bold</b> &amp; \n second line",
            instance: "web&<1>")
        let message = try #require(renderer.render(.single(hostile)).first)
        let visible = try TelegramStandIn.parseHTML(message.body).get()
        #expect(visible.contains("a < b & c > d"))
        #expect(visible.contains("<b>not bold</b> &amp;   second line"))
        #expect(visible.contains("disk_full:<script>&"))
    }

    @Test func firedAndResolvedMessagesSayWhatHappenedAndWhen() throws {
        let fired = try #require(renderer.render(.single(notification("n1"))).first)
        #expect(fired.body.hasPrefix("🔴 <b>FIRING</b> · <b>Disk is almost full</b>"))
        #expect(fired.body.contains("<code>disk_full:/data</code> · critical"))
        #expect(fired.body.contains("since 2027-01-15T08:00:00Z · <i>host-1</i>"))
        #expect(!fired.silent)
        let resolved = try #require(renderer.render(.single(notification("n1", .resolve))).first)
        #expect(resolved.body.hasPrefix("🟢 <b>RESOLVED</b>"))
        #expect(resolved.body.contains("lasted 5m 12s"))
        #expect(resolved.silent)
        #expect(
            !TelegramRenderer(language: .en, silentResolved: false).render(.single(notification("n", .resolve)))[0]
                .silent)
    }

    @Test func aHugeDetailIsCutAndTheMessageStillFits() throws {
        let message = try #require(
            renderer.render(.single(notification("n1", detail: String(repeating: "é&", count: 10_000)))).first)
        #expect(TelegramText.visibleLength(message.body) <= 4_096)
        #expect((try? TelegramStandIn.parseHTML(message.body).get()) != nil)
    }

    @Test(arguments: [300, 50_000])
    func aBigDigestIsOneValidMessageWithCountsTheFirstKeysAndWhereToSeeAll(size: Int) throws {
        let notifications = (0..<size).map {
            notification(
                "n\($0)", $0 % 10 == 0 ? .resolve : .fire, key: "container-\($0)", title: "Container <\($0)> is down")
        }
        let messages = renderer.render(.digest(notifications))
        let message = try #require(messages.first)
        #expect(messages.count == 1)
        let visible = try TelegramStandIn.parseHTML(message.body).get()
        #expect(visible.utf16.count <= 4_096)
        #expect(message.body.hasPrefix("📣 <b>\(size) notifications</b> · host-1\n"))
        #expect(message.body.contains("🔴 FIRING \(size - size / 10) · 🟢 RESOLVED \(size / 10)"))
        #expect(message.body.contains("<code>disk_full</code> \(size) (critical \(size))"))
        let shown = (0..<size).filter { message.body.contains("disk_full:container-\($0)</code>") }
        #expect(shown.count >= 10)
        #expect(shown == Array(0..<shown.count))
        #expect(message.body.contains("… and \(size - shown.count) more: GET /alerts"))
    }

    @Test func russianDigest() {
        let messages = TelegramRenderer(language: .ru, silentResolved: true).render(
            .digest([notification("a"), notification("b", .resolve)]))
        #expect(messages[0].body.hasPrefix("📣 <b>уведомлений: 2</b>"))
        #expect(messages[0].body.contains("длилось 5m 12s"))
    }
}

@Suite struct TelegramAPITests {
    @Test func theRequestCarriesChatThreadHTMLModeSilenceAndNoPreview() throws {
        let body = TelegramAPI.sendMessageBody(chatID: "-100123", threadID: 7, text: "<b>x</b>", silent: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["chat_id"] as? Int == -100_123)
        #expect(object["message_thread_id"] as? Int == 7)
        #expect(object["parse_mode"] as? String == "HTML")
        #expect(object["disable_notification"] as? Bool == true)
        #expect((object["link_preview_options"] as? [String: Any])?["is_disabled"] as? Bool == true)
        let channel = try #require(
            try JSONSerialization.jsonObject(
                with: Data(TelegramAPI.sendMessageBody(chatID: "@alerts", threadID: nil, text: "x", silent: false)))
                as? [String: Any])
        #expect(channel["chat_id"] as? String == "@alerts")
        #expect(channel["message_thread_id"] == nil)
    }

    @Test(arguments: [
        (200, #"{"ok":true,"result":{}}"#, TelegramAPI.Verdict.delivered),
        (
            429,
            #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}"#,
            .retry(reason: "HTTP 429: Too Many Requests: retry after 5", after: 5)
        ),
        (
            400,
            #"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234}}"#,
            .migrate(to: "-1001234")
        ),
        (
            400, #"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
            .rejected(reason: "HTTP 400: Bad Request: chat not found")
        ),
        (
            403, #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#,
            .rejected(reason: "HTTP 403: Forbidden: bot was blocked by the user")
        ),
        (502, "<html>Bad Gateway</html>", .retry(reason: "HTTP 502: <html>Bad Gateway</html>", after: nil)),
        (
            200, "<html>captive portal</html>",
            .retry(reason: "unexpected answer: HTTP 200: <html>captive portal</html>", after: nil)
        ),
    ])
    func answersAreClassified(status: Int, body: String, verdict: TelegramAPI.Verdict) {
        #expect(TelegramAPI.classify(status: status, body: Array(body.utf8)) == verdict)
    }
}

@Suite struct TelegramChannelTests {
    static let token = "123456:SECRET-token_value"

    func channel(_ standIn: TelegramStandIn, chatID: String = "-1001", timeout: Duration = .seconds(5), logger: Logger)
        -> TelegramChannel
    {
        TelegramChannel(
            settings: TelegramSettings(
                token: Self.token, chatID: chatID, threadID: 42, silentResolved: true, apiBaseURL: standIn.baseURL),
            language: .en, post: HTTPPost(timeout: timeout), logger: logger)
    }

    @Test func aMessageReachesTheChatWithItsThreadAndHTML() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let channel = channel(standIn, logger: LogRecorder().logger())
        let message = channel.render(.single(notification("n1", .resolve)))[0]
        #expect(await channel.send(message).isDelivered)
        let accepted = try #require(standIn.accepted.first)
        #expect(accepted.chatID == "-1001")
        #expect(accepted.threadID == 42)
        #expect(accepted.silent)
        #expect(accepted.previewDisabled)
        #expect(accepted.text == message.body)
    }

    @Test func tooManyRequestsIsRetryableWithTheAPIsWait() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        standIn.inject([.tooManyRequests(retryAfter: 7)])
        let outcome = await channel(standIn, logger: LogRecorder().logger()).send(OutboundMessage(id: "x", body: "hi"))
        #expect(outcome == .retryable(reason: "HTTP 429: Too Many Requests: retry after 7", retryAfter: 7))
    }

    @Test func anUpgradedGroupIsFollowedOnceAndLogged() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        standIn.inject([.migrate(to: -1_009_999)])
        let recorder = LogRecorder()
        let channel = channel(standIn, logger: recorder.logger())
        #expect(await channel.send(OutboundMessage(id: "x", body: "first")).isDelivered)
        #expect(await channel.send(OutboundMessage(id: "y", body: "second")).isDelivered)
        #expect(standIn.accepted.map(\.chatID) == ["-1009999", "-1009999"])
        #expect(standIn.server.requests.count == 3)
        #expect(channel.currentChatID == "-1009999")
        #expect(recorder.all.contains { $0.metadata["new_chat_id"] == "-1009999" && $0.level == .notice })
    }

    @Test func serverErrorsAreRetryableAndClientErrorsPermanentWithTheAPIsReason() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        standIn.inject([.serverError(500), .chatNotFound])
        let channel = channel(standIn, logger: LogRecorder().logger())
        #expect(
            await channel.send(OutboundMessage(id: "x", body: "a"))
                == .retryable(reason: "HTTP 500: Internal Server Error", retryAfter: nil))
        #expect(
            await channel.send(OutboundMessage(id: "x", body: "a"))
                == .permanent(reason: "HTTP 400: Bad Request: chat not found"))
    }

    @Test func theStandInRejectsWhatTelegramRejects() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let channel = channel(standIn, logger: LogRecorder().logger())
        let broken = await channel.send(OutboundMessage(id: "x", body: "<b>unclosed"))
        #expect(
            broken
                == .permanent(
                    reason:
                        #"HTTP 400: Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b""#
                ))
        let long = await channel.send(OutboundMessage(id: "y", body: String(repeating: "a", count: 4_097)))
        #expect(long == .permanent(reason: "HTTP 400: Bad Request: message is too long"))
        #expect(standIn.accepted.isEmpty)
    }

    @Test func everyPartOfABigDigestIsAccepted() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let channel = channel(standIn, logger: LogRecorder().logger())
        let messages = channel.render(
            .digest((0..<200).map { notification("n\($0)", title: "Service <\($0)> & co is down") }))
        for message in messages {
            #expect(await channel.send(message).isDelivered)
        }
        #expect(standIn.accepted.count == messages.count)
    }

    @Test func aResponseSlowerThanTheTimeoutIsARetryableTimeout() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        standIn.inject([.hang])
        let outcome = await channel(standIn, timeout: .milliseconds(300), logger: LogRecorder().logger())
            .send(OutboundMessage(id: "x", body: "a"))
        #expect(outcome == .retryable(reason: "timed out", retryAfter: nil))
    }

    @Test func theTokenAppearsInNoErrorAndNoLogLineEvenWhenEverythingFails() async throws {
        let standIn = try await TelegramStandIn.start(token: Self.token)
        let recorder = LogRecorder()
        let channel = channel(standIn, timeout: .milliseconds(300), logger: recorder.logger())
        standIn.inject([.serverError(502), .chatNotFound, .hang])
        var outcomes: [SendOutcome] = []
        for _ in 0..<3 { outcomes.append(await channel.send(OutboundMessage(id: "x", body: "a"))) }
        await standIn.stop()
        outcomes.append(await channel.send(OutboundMessage(id: "x", body: "a")))  // connection refused
        let logged = recorder.all + (await logsOfAFailedDelivery(through: channel))
        let everything = "\(outcomes)" + logged.map(\.line).joined(separator: "\n")
        #expect(outcomes.count == 4)
        #expect(!everything.contains("SECRET-token_value"))
        #expect(!everything.contains("123456:"))
    }
}
