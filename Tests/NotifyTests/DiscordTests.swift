import Foundation
import Logging
import OutboundHTTP
import TestSupport
import Testing

@testable import Notify

/// Discord through its webhook API (SPEC §5.1), against a stand-in that answers as
/// Discord documents, and that stand-in checked with Apprise, an independent client.
@Suite struct DiscordTests {
    static let webhookID = "1180000000000000001"
    static let token = "Wh-SECRET_token-0123456789"

    func channel(_ standIn: DiscordWebhookStandIn, token: String = DiscordTests.token, id: String = webhookID)
        -> DiscordChannel
    {
        DiscordChannel(
            name: "oncall",
            settings: DiscordSettings(webhookID: id, token: token, apiBaseURL: standIn.apiBaseURL),
            language: .en, post: HTTPPost(timeout: .seconds(15)))
    }

    func deliver(_ batches: [NotificationBatch], through channel: DiscordChannel) async
        -> ChannelOutbox<ContinuousClock>
    {
        let outbox = ChannelOutbox(channel: channel, clock: ContinuousClock(), logger: Logger(label: "test"))
        for batch in batches { await outbox.stage(messages: channel.render(batch)) }
        await outbox.release()
        _ = await Delivery(outboxes: [outbox], digestAfter: 5).drain(timeout: .seconds(30), clock: ContinuousClock())
        return outbox
    }

    @Test func aFireIsAnEmbedAndItsResolveEditsItInGreen() async throws {
        let standIn = try await DiscordWebhookStandIn.start(webhookID: Self.webhookID, token: Self.token)
        defer { Task { await standIn.stop() } }
        let outbox = await deliver(
            [.single(notification("f", .fire)), .single(notification("d", .resolve))], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        let messages = standIn.messages
        #expect(messages.count == 2)
        let fire = try #require(messages.first)
        #expect(fire.edits == 1)
        let edited = try #require(fire.embeds.first)
        #expect((edited["title"] as? String)?.hasPrefix("🔴 FIRING · Disk is almost full") == true)
        #expect((edited["description"] as? String)?.contains("RESOLVED") == true)
        #expect((edited["description"] as? String)?.contains("lasted 5m 12s") == true)
        #expect(edited["color"] as? Int == 0x2E_B67D)
        let resolve = try #require(messages.last?.embeds.first)
        #expect((resolve["title"] as? String)?.hasPrefix("🟢 RESOLVED") == true)
        // Every post waited for the message (its id is what the edit needs), and nothing
        // may ping anyone.
        #expect(standIn.server.requests.filter { $0.method == "POST" }.allSatisfy { $0.uri.hasSuffix("?wait=true") })
        #expect(messages.allSatisfy { $0.allowedMentions == #"{"parse":[]}"# })
        #expect(await outbox.references.reference(of: "disk_full:/data") == nil)
    }

    @Test func outsideTextIsInertMarkdownAndPingsNobody() async throws {
        let standIn = try await DiscordWebhookStandIn.start(webhookID: Self.webhookID, token: Self.token)
        defer { Task { await standIn.stop() } }
        let hostile = notification(
            "h", .fire, key: "web_**1**", title: "@everyone <@&42> **x** [y](http://evil)",
            detail: "`rm -rf` ~strike~ > quote\n# heading", instance: "||spoiler||")
        _ = await deliver([.single(hostile)], through: channel(standIn))
        let embed = try #require(standIn.messages.first?.embeds.first)
        let title = try #require(embed["title"] as? String)
        let description = try #require(embed["description"] as? String)
        #expect(title.contains(#"\@everyone \<\@&42\> \*\*x\*\* \[y\]\(http://evil\)"#))
        #expect(description.contains(##"\`rm \-rf\` \~strike\~ \> quote \# heading"##))
        #expect(description.contains(#"*\|\|spoiler\|\|*"#))
        // Inside the key's code span only the backtick would matter; nothing is doubled.
        #expect(description.contains("`disk_full:web_**1**`"))
        #expect(standIn.messages.first?.allowedMentions == #"{"parse":[]}"#)
    }

    @Test func aLongDetailAndABigDigestStayWithinDiscordsLimits() async throws {
        let standIn = try await DiscordWebhookStandIn.start(webhookID: Self.webhookID, token: Self.token)
        defer { Task { await standIn.stop() } }
        let long = notification(
            "l", .fire, title: String(repeating: "T", count: 400), detail: String(repeating: "d", count: 9_000))
        let storm = (0..<300).map { notification("s\($0)", .fire, key: "/disk\($0)") }
        let outbox = await deliver([.single(long), .digest(storm)], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        #expect(standIn.messages.count == 2)
        #expect(standIn.server.requests.allSatisfy { $0.method == "POST" })
    }

    @Test func discordsAnswersDecideBetweenRetryAndDrop() async throws {
        let standIn = try await DiscordWebhookStandIn.start(webhookID: Self.webhookID, token: Self.token)
        defer { Task { await standIn.stop() } }
        let message = try #require(channel(standIn).render(.single(notification("m"))).first)
        // The body's retry_after (0.25 s) wins over Retry-After, which Discord rounds up.
        standIn.inject([.rateLimited(retryAfter: 0.25), .serverError(502)])
        #expect(
            await channel(standIn).send(message)
                == .retryable(reason: "post: HTTP 429: You are being rate limited.", retryAfter: 0.25))
        #expect(await channel(standIn).send(message) == .retryable(reason: "post: HTTP 502", retryAfter: nil))
        #expect(
            await channel(standIn, token: "wrong").send(message)
                == .permanent(reason: "post: HTTP 401: Invalid Webhook Token (50027)"))
        #expect(
            await channel(standIn, id: "1").send(message)
                == .permanent(reason: "post: HTTP 404: Unknown Webhook (10015)"))
        let edit = OutboundMessage(id: "e", body: message.body, links: MessageLinks(editsKey: "k"))
        #expect(
            await channel(standIn).send(edit, links: ResolvedLinks(edit: "999"))
                == .permanent(reason: "edit: HTTP 404: Unknown Message (10008)"))
        #expect(await channel(standIn).send(message).reference != nil)
        #expect(!channel(standIn).destination.contains(Self.token))
    }

    @Test func a429AndA5xxAreSurvivedWithoutLossOrDuplicates() async throws {
        let standIn = try await DiscordWebhookStandIn.start(webhookID: Self.webhookID, token: Self.token)
        defer { Task { await standIn.stop() } }
        standIn.inject([.rateLimited(retryAfter: 0.2), .serverError(503), .rateLimited(retryAfter: 0.1)])
        let outbox = await deliver(
            [.single(notification("f", .fire)), .single(notification("d", .resolve))], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        #expect(standIn.messages.count == 2)
        #expect(standIn.messages.first?.edits == 1)
        #expect(Set(standIn.messages.map(\.id)).count == 2)
    }

    /// Apprise, sending as it does to Discord, is answered by the stand-in as Discord
    /// answers it: the stand-in is not shaped by our own client.
    @Test(.enabled(if: Apprise.available || Apprise.required))
    func apprisePostsToTheStandInAsToDiscord() async throws {
        let standIn = try await DiscordWebhookStandIn.start(webhookID: Self.webhookID, token: Self.token)
        defer { Task { await standIn.stop() } }
        let sent = try await Apprise.notify(
            url: "discord://\(Self.webhookID)/\(Self.token)", title: "apprise title", body: "from apprise",
            endpoints: ["NotifyDiscord.notify_url": standIn.apiBaseURL + "/webhooks"])
        #expect(sent.status == 0, "\(sent.output)")
        let message = try #require(standIn.messages.first)
        // Apprise writes title and body as the message text.
        #expect(message.content == "apprise title\r\nfrom apprise", "\(message.embedsJSON)")
        let refused = try await Apprise.notify(
            url: "discord://\(Self.webhookID)/wrong-token", title: "t", body: "b",
            endpoints: ["NotifyDiscord.notify_url": standIn.apiBaseURL + "/webhooks"])
        #expect(refused.status != 0)
        #expect(standIn.messages.count == 1)
    }
}
