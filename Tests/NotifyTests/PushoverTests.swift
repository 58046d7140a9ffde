import Foundation
import Logging
import TestSupport
import Testing

@testable import Notify

/// Pushover (SPEC §5.1), against a stand-in checked with Apprise: priority by severity,
/// emergencies for critical alerts on request, cancelled by their resolve.
@Suite struct PushoverTests {
    static let appToken = "aSECRETapptoken0123456789abcde"
    static let userKey = "uSECRETuserkey0123456789abcdef"

    func channel(_ standIn: PushoverStandIn, emergency: Bool = false, appToken: String = PushoverTests.appToken)
        -> PushoverChannel
    {
        PushoverChannel(
            name: "pushover",
            settings: PushoverSettings(
                userKey: Self.userKey, appToken: appToken, apiBaseURL: standIn.apiBaseURL, emergency: emergency,
                retry: 60, expire: 3_600),
            language: .en, post: HTTPPost(timeout: .seconds(15)))
    }

    @Test func theSeverityIsThePriority() async throws {
        let standIn = try await PushoverStandIn.start(appToken: Self.appToken, userKey: Self.userKey)
        defer { Task { await standIn.stop() } }
        standIn.inject([.overQuota, .serverError(503)])
        let outbox = await deliverAll(
            [.single(notification("f", .fire)), .single(notification("d", .resolve))], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        #expect(standIn.messages.map(\.priority) == [1, -1])
        #expect(standIn.messages.first?.title == "🔴 FIRING · Disk is almost full")
        #expect(standIn.cancelled.isEmpty)
    }

    @Test func anEmergencyIsCancelledByItsResolve() async throws {
        let standIn = try await PushoverStandIn.start(appToken: Self.appToken, userKey: Self.userKey)
        defer { Task { await standIn.stop() } }
        let outbox = await deliverAll(
            [.single(notification("f", .fire)), .single(notification("d", .resolve))],
            through: channel(standIn, emergency: true))
        #expect(await outbox.pendingCount == 0)
        let fire = try #require(standIn.messages.first)
        #expect(fire.priority == 2 && fire.receipt != nil)
        #expect(standIn.cancelled == [fire.receipt])
        #expect(standIn.messages.last?.priority == -1)
        // The keys are added when sending: nothing queued (the state file) holds them.
        let queued = channel(standIn, emergency: true).render(.single(notification("f", .fire)))
        #expect(!queued.contains { $0.body.contains(Self.appToken) || $0.body.contains(Self.userKey) })
    }

    @Test func pushoversAnswersDecideBetweenRetryAndDrop() async throws {
        let standIn = try await PushoverStandIn.start(appToken: Self.appToken, userKey: Self.userKey)
        defer { Task { await standIn.stop() } }
        let message = try #require(channel(standIn).render(.single(notification("m"))).first)
        #expect(
            await channel(standIn, appToken: "bSECRETapptoken0123456789abcde").send(message)
                == .permanent(reason: "HTTP 400: application token is invalid, see https://pushover.net/api"))
        standIn.inject([.overQuota])
        #expect(
            await channel(standIn).send(message)
                == .retryable(reason: "HTTP 429: application is over its monthly quota", retryAfter: nil))
        #expect(await channel(standIn).send(message).isDelivered)
        #expect(!channel(standIn).destination.contains(Self.appToken))
    }

    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseSendsToTheStandInAsToPushover() async throws {
        let standIn = try await PushoverStandIn.start(appToken: Self.appToken, userKey: Self.userKey)
        defer { Task { await standIn.stop() } }
        let endpoints = ["NotifyPushover.notify_url": standIn.apiBaseURL + "/1/messages.json"]
        let sent = try await Apprise.notify(
            url: "pover://\(Self.userKey)@\(Self.appToken)?priority=emergency&expire=600&interval=60", title: "t",
            body: "b", endpoints: endpoints)
        #expect(sent.status == 0, "\(sent.output)")
        let refused = try await Apprise.notify(
            url: "pover://\(Self.userKey)@bSECRETapptoken0123456789abcde", title: "t", body: "b", endpoints: endpoints)
        #expect(refused.status != 0)
        #expect(standIn.messages.count == 1 && standIn.messages.first?.priority == 2)
        #expect(standIn.messages.first?.receipt != nil)
    }
}
