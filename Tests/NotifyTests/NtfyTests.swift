import Foundation
import Logging
import TestSupport
import Testing

@testable import Notify

/// ntfy through its publish API (SPEC §5.1), against a stand-in that answers as ntfy
/// documents, and that stand-in checked with Apprise.
@Suite struct NtfyTests {
    static let token = "tk_SECRETtoken0123456789abcdef"

    func channel(
        _ standIn: NtfyStandIn, topics: [String] = ["alerts"],
        authentication: NtfySettings.Authentication = .token(NtfyTests.token), fixedPriority: Int? = nil
    ) -> NtfyChannel {
        NtfyChannel(
            name: "phone",
            settings: NtfySettings(
                serverURL: standIn.baseURL, topics: topics, authentication: authentication,
                fixedPriority: fixedPriority, tags: ["prod"]),
            language: .en, post: HTTPPost(timeout: .seconds(15)))
    }

    func deliver(_ batches: [NotificationBatch], through channel: NtfyChannel) async -> ChannelOutbox<ContinuousClock> {
        let outbox = ChannelOutbox(channel: channel, clock: ContinuousClock(), logger: Logger(label: "test"))
        for batch in batches { await outbox.stage(messages: channel.render(batch)) }
        await outbox.release()
        _ = await Delivery(outboxes: [outbox], digestAfter: 5).drain(timeout: .seconds(30), clock: ContinuousClock())
        return outbox
    }

    @Test func theSeverityIsThePriorityAndEachTopicGetsEveryMessage() async throws {
        let standIn = try await NtfyStandIn.start(tokens: [Self.token])
        defer { Task { await standIn.stop() } }
        var warning = notification("w", .fire, key: "/var")
        warning = AlertNotification(
            id: "w", action: .fire, severity: .warning, family: "host_memory", entity: nil, title: "Memory",
            detail: "91%", instance: "host-1", startedAt: warning.startedAt, at: warning.at)
        let outbox = await deliver(
            [.single(notification("f", .fire)), .single(warning), .single(notification("d", .resolve))],
            through: channel(standIn, topics: ["alerts", "ops"]))
        #expect(await outbox.pendingCount == 0)
        let messages = standIn.messages
        #expect(messages.map(\.topic) == ["alerts", "ops", "alerts", "ops", "alerts", "ops"])
        #expect(messages.map(\.priority) == [5, 5, 4, 4, 2, 2])
        #expect(messages.first?.title == "🔴 FIRING · Disk is almost full")
        #expect(messages.first?.message.contains("disk_full:/data · critical") == true)
        #expect(messages.first?.tags == ["disk_full", "critical", "prod"])
        #expect(messages.last?.message.contains("lasted 5m 12s") == true)
        #expect(messages.allSatisfy { $0.authorization == "Bearer \(Self.token)" })
    }

    @Test func aFixedPriorityAndBasicAuthenticationAreHonoured() async throws {
        let standIn = try await NtfyStandIn.start(users: ["alice": "pa:ss"])
        defer { Task { await standIn.stop() } }
        _ = await deliver(
            [.single(notification("f"))],
            through: channel(standIn, authentication: .basic(user: "alice", password: "pa:ss"), fixedPriority: 3))
        #expect(standIn.messages.map(\.priority) == [3])
        #expect(standIn.messages.first?.authorization == "Basic " + Data("alice:pa:ss".utf8).base64EncodedString())
    }

    @Test func aLongDetailAndADigestStayWithinNtfysLimit() async throws {
        let standIn = try await NtfyStandIn.start(tokens: [Self.token])
        defer { Task { await standIn.stop() } }
        let long = notification("l", .fire, detail: String(repeating: "é", count: 5_000))
        let storm = (0..<300).map { notification("s\($0)", .fire, key: "/disk\($0)") }
        let outbox = await deliver([.single(long), .digest(storm)], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        #expect(standIn.messages.count == 2)
        #expect(standIn.messages.allSatisfy { $0.message.utf8.count <= 4_096 })
    }

    @Test func ntfysAnswersDecideBetweenRetryAndDrop() async throws {
        let standIn = try await NtfyStandIn.start(tokens: [Self.token])
        defer { Task { await standIn.stop() } }
        let message = try #require(channel(standIn).render(.single(notification("m"))).first)
        standIn.inject([.rateLimited, .serverError(502)])
        #expect(
            await channel(standIn).send(message)
                == .retryable(reason: "HTTP 429: limit reached: too many requests (42901)", retryAfter: nil))
        #expect(await channel(standIn).send(message) == .retryable(reason: "HTTP 502", retryAfter: nil))
        #expect(
            await channel(standIn, authentication: .none).send(message)
                == .permanent(reason: "HTTP 403: forbidden (40301)"))
        let wrong = await channel(standIn, authentication: .token("tk_wrong")).send(message)
        #expect(wrong == .permanent(reason: "HTTP 401: unauthorized (40101)"))
        #expect(
            await channel(standIn, topics: ["bad topic"]).send(
                channel(standIn, topics: ["bad topic"]).render(.single(notification("b"))).first!)
                == .permanent(reason: "HTTP 400: invalid request: topic invalid (40009)"))
        #expect(await channel(standIn).send(message).isDelivered)
        #expect(!channel(standIn).destination.contains(Self.token))
        #expect(standIn.messages.count == 1)
    }

    @Test func a429AndA5xxAreSurvivedWithoutLossOrDuplicates() async throws {
        let standIn = try await NtfyStandIn.start(tokens: [Self.token])
        defer { Task { await standIn.stop() } }
        standIn.inject([.rateLimited, .serverError(503)])
        let outbox = await deliver(
            [.single(notification("f", .fire)), .single(notification("d", .resolve))], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        #expect(standIn.messages.map(\.priority) == [5, 2])
    }

    /// Apprise, publishing as it does to a self-hosted ntfy, is answered by the stand-in
    /// as ntfy answers it.
    @Test(.enabled(if: Apprise.available || Apprise.required))
    func apprisePublishesToTheStandInAsToNtfy() async throws {
        let standIn = try await NtfyStandIn.start(users: ["alice": "s3cret"], tokens: [Self.token])
        defer { Task { await standIn.stop() } }
        let port = standIn.server.port
        let basic = try await Apprise.notify(
            url: "ntfy://alice:s3cret@127.0.0.1:\(port)/alerts?priority=high&tags=prod", title: "t1", body: "b1")
        #expect(basic.status == 0, "\(basic.output)")
        let token = try await Apprise.notify(url: "ntfy://\(Self.token)@127.0.0.1:\(port)/ops", title: "t2", body: "b2")
        #expect(token.status == 0, "\(token.output)")
        let refused = try await Apprise.notify(
            url: "ntfy://alice:wrong@127.0.0.1:\(port)/alerts", title: "t", body: "b")
        #expect(refused.status != 0)
        let messages = standIn.messages
        #expect(messages.map(\.topic) == ["alerts", "ops"])
        #expect(messages.first?.title == "t1" && messages.first?.message == "b1")
        #expect(messages.first?.priority == 4 && messages.first?.tags == ["prod"])
        #expect(messages.last?.authorization == "Bearer \(Self.token)")
    }
}
