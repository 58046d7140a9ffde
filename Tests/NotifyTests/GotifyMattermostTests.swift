import Foundation
import Logging
import TestSupport
import Testing

@testable import Notify

func deliverAll(_ batches: [NotificationBatch], through channel: any NotificationChannel) async
    -> ChannelOutbox<ContinuousClock>
{
    let outbox = ChannelOutbox(channel: channel, clock: ContinuousClock(), logger: Logger(label: "test"))
    for batch in batches { await outbox.stage(messages: channel.render(batch)) }
    await outbox.release()
    _ = await Delivery(outboxes: [outbox], digestAfter: 5).drain(timeout: .seconds(30), clock: ContinuousClock())
    return outbox
}

/// Gotify through `POST /message` (SPEC §5.1), against a stand-in checked with Apprise.
@Suite struct GotifyTests {
    static let token = "AppSECRETtoken.1"

    func channel(_ standIn: GotifyStandIn, token: String = GotifyTests.token, fixedPriority: Int? = nil)
        -> GotifyChannel
    {
        GotifyChannel(
            name: "gotify",
            settings: GotifySettings(
                serverURL: standIn.server.baseURL + standIn.pathPrefix, token: token, fixedPriority: fixedPriority),
            language: .en, post: HTTPPost(timeout: .seconds(15)))
    }

    @Test func theSeverityIsThePriorityAndFailuresAreSurvived() async throws {
        let standIn = try await GotifyStandIn.start(token: Self.token, pathPrefix: "/gotify")
        defer { Task { await standIn.stop() } }
        standIn.inject([.serverError(502), .rateLimited(retryAfter: 1)])
        let outbox = await deliverAll(
            [.single(notification("f", .fire)), .single(notification("d", .resolve))], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        #expect(standIn.messages.map(\.priority) == [8, 2])
        #expect(standIn.messages.first?.title == "🔴 FIRING · Disk is almost full")
        #expect(standIn.messages.first?.message.contains("disk_full:/data · critical") == true)
    }

    @Test func gotifysAnswersDecideBetweenRetryAndDrop() async throws {
        let standIn = try await GotifyStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let message = try #require(channel(standIn).render(.single(notification("m"))).first)
        #expect(
            await channel(standIn, token: "wrong").send(message)
                == .permanent(
                    reason: "HTTP 401: you need to provide a valid access token or user credentials to access this api")
        )
        standIn.inject([.rateLimited(retryAfter: 3)])
        #expect(await channel(standIn).send(message) == .retryable(reason: "HTTP 429", retryAfter: 3))
        #expect(await channel(standIn, fixedPriority: 10).send(message).isDelivered)
        #expect(standIn.messages.map(\.priority) == [8])
        #expect(!channel(standIn).destination.contains(Self.token))
    }

    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseSendsToTheStandInAsToGotify() async throws {
        let standIn = try await GotifyStandIn.start(token: Self.token, pathPrefix: "/gotify")
        defer { Task { await standIn.stop() } }
        let port = standIn.server.port
        let sent = try await Apprise.notify(
            url: "gotify://127.0.0.1:\(port)/gotify/\(Self.token)?priority=high", title: "t", body: "b")
        #expect(sent.status == 0, "\(sent.output)")
        let refused = try await Apprise.notify(url: "gotify://127.0.0.1:\(port)/gotify/wrong", title: "t", body: "b")
        #expect(refused.status != 0)
        #expect(standIn.messages == [.init(title: "t", message: "b", priority: 8)])
    }
}

/// A Mattermost incoming webhook (SPEC §5.1), against a stand-in checked with Apprise.
@Suite struct MattermostTests {
    static let token = "hooksecret1234567890abcdefg"

    func channel(_ standIn: MattermostStandIn, token: String = MattermostTests.token) -> MattermostChannel {
        MattermostChannel(
            name: "mm", hookURL: standIn.server.baseURL + "/hooks/" + token, username: "watchdog", channel: "ops",
            language: .en, post: HTTPPost(timeout: .seconds(15)))
    }

    @Test func anAttachmentColouredByActionAndMentionsBroken() async throws {
        let standIn = try await MattermostStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        standIn.inject([.rateLimited(retryAfter: 1), .serverError(503)])
        let hostile = notification("h", .fire, title: "@channel **x** <!here>", detail: "@all `rm`")
        let outbox = await deliverAll(
            [.single(hostile), .single(notification("d", .resolve))], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        let posts = standIn.posts
        #expect(posts.count == 2)
        let fire = try #require(posts.first?.attachments.first)
        #expect(fire["color"] as? String == "#D93025")
        #expect((fire["title"] as? String)?.contains("@\u{200B}channel \\*\\*x\\*\\* \\<!here\\>") == true)
        #expect((fire["text"] as? String)?.contains("@\u{200B}all \\`rm\\`") == true)
        #expect(posts.last?.attachments.first?["color"] as? String == "#2EB67D")
        #expect(posts.allSatisfy { $0.channel == "ops" && $0.username == "watchdog" })
    }

    @Test func mattermostsAnswersDecideBetweenRetryAndDrop() async throws {
        let standIn = try await MattermostStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let message = try #require(channel(standIn).render(.single(notification("m"))).first)
        #expect(
            await channel(standIn, token: "other").send(message) == .permanent(reason: "HTTP 400: Invalid webhook."))
        standIn.inject([.rateLimited(retryAfter: 2)])
        #expect(await channel(standIn).send(message) == .retryable(reason: "HTTP 429: limit exceeded", retryAfter: 2))
        #expect(await channel(standIn).send(message).isDelivered)
        #expect(!channel(standIn).destination.contains(Self.token))
    }

    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseSendsToTheStandInAsToMattermost() async throws {
        let standIn = try await MattermostStandIn.start(token: Self.token)
        defer { Task { await standIn.stop() } }
        let port = standIn.server.port
        let sent = try await Apprise.notify(
            url: "mmost://127.0.0.1:\(port)/\(Self.token)?channel=ops", title: "t", body: "b")
        #expect(sent.status == 0, "\(sent.output)")
        let refused = try await Apprise.notify(url: "mmost://127.0.0.1:\(port)/wrongtoken", title: "t", body: "b")
        #expect(refused.status != 0)
        #expect(standIn.posts.count == 1 && standIn.posts.first?.channel == "ops")
        #expect(standIn.posts.first?.text?.contains("b") == true)
    }
}
