import Foundation
import Logging
import TestSupport
import Testing

@testable import Notify

/// PagerDuty through the Events API v2 (SPEC §5.1), against a stand-in checked with
/// Apprise: one incident per alert key, closed by its resolve.
@Suite struct PagerDutyTests {
    static let routingKey = "R0123456789abcdefSECRET012345678"

    func channel(_ standIn: PagerDutyStandIn, key: String = PagerDutyTests.routingKey) -> PagerDutyChannel {
        PagerDutyChannel(
            name: "pager",
            settings: PagerDutySettings(routingKey: key, apiBaseURL: standIn.apiBaseURL, details: ["team": "ops"]),
            language: .en, post: HTTPPost(timeout: .seconds(15)))
    }

    @Test func anAlertIsOneIncidentThatItsResolveCloses() async throws {
        let standIn = try await PagerDutyStandIn.start(routingKey: Self.routingKey)
        defer { Task { await standIn.stop() } }
        standIn.inject([.throttled, .serverError(503)])
        let outbox = await deliverAll(
            [
                .single(notification("f", .fire)), .single(notification("r", .repeat)),
                .single(notification("d", .resolve)),
            ], through: channel(standIn))
        #expect(await outbox.pendingCount == 0)
        #expect(standIn.events.map(\.action) == ["trigger", "trigger", "resolve"])
        #expect(standIn.incidents == [.init(dedupKey: "disk_full:/data", open: false, triggers: 2)])
        let fire = try #require(standIn.events.first)
        #expect(fire.severity == "critical" && fire.source == "host-1")
        #expect(fire.summary == "Disk is almost full · 93% used · host-1")
        #expect(fire.detailsJSON.contains(#""team":"ops""#) && fire.detailsJSON.contains(#""key":"disk_full:\/data""#))
        // The routing key is a secret: the queued event (kept in the state file) lacks it.
        #expect(!channel(standIn).render(.single(notification("f"))).contains { $0.body.contains(Self.routingKey) })
    }

    /// An incident is one problem: a cause's "also affected" update (SPEC §4.2) is for the chats.
    @Test func aCausesEffectsUpdateIsNoEvent() {
        let pager = PagerDutyChannel(
            name: "pager", settings: PagerDutySettings(routingKey: Self.routingKey, apiBaseURL: "http://127.0.0.1:1"),
            language: .en, post: HTTPPost(timeout: .seconds(1)))
        #expect(pager.render(.single(notification("e", .effects))).isEmpty)
        #expect(pager.render(.single(notification("f", .fire))).count == 1)
    }

    @Test func aStormIsAnEventPerKeyNotADigest() async throws {
        let standIn = try await PagerDutyStandIn.start(routingKey: Self.routingKey)
        defer { Task { await standIn.stop() } }
        let storm = (0..<12).map { notification("s\($0)", .fire, key: "/disk\($0)") }
        let pager = channel(standIn)
        let messages = pager.messages(for: TickNotifications(notifications: storm, now: Date()), digestAfter: 5)
        #expect(messages.count == 12)
        _ = await deliverAll(storm.map { .single($0) }, through: pager)
        #expect(Set(standIn.incidents.map(\.dedupKey)).count == 12)
    }

    @Test func pagerDutysAnswersDecideBetweenRetryAndDrop() async throws {
        let standIn = try await PagerDutyStandIn.start(routingKey: Self.routingKey)
        defer { Task { await standIn.stop() } }
        // The routing key travels in the event itself: each channel renders its own.
        func event(_ pager: PagerDutyChannel) -> OutboundMessage { pager.render(.single(notification("m")))[0] }
        let message = event(channel(standIn))
        let short = await channel(standIn, key: "short").send(event(channel(standIn, key: "short")))
        #expect(
            short
                == .permanent(
                    reason:
                        "HTTP 400: Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)"
                ))
        standIn.inject([.throttled])
        #expect(
            await channel(standIn).send(message)
                == .retryable(
                    reason: "HTTP 429: Requests for this service are arriving too quickly. Please retry later.",
                    retryAfter: nil))
        #expect(await channel(standIn).send(message).isDelivered)
        let wrongKey = "X0123456789abcdefSECRET012345678"
        let refused = await channel(standIn, key: wrongKey).send(event(channel(standIn, key: wrongKey)))
        #expect(
            refused
                == .permanent(reason: "HTTP 400: Event object is invalid: 'routing_key' is not a known integration key")
        )
        #expect(!channel(standIn).destination.contains(Self.routingKey))
    }

    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseTriggersAndResolvesAtTheStandInAsAtPagerDuty() async throws {
        let standIn = try await PagerDutyStandIn.start(routingKey: Self.routingKey)
        defer { Task { await standIn.stop() } }
        let setup = """
            import apprise.plugins.pagerduty as pd
            pd.PAGERDUTY_API_LOOKUP[pd.PagerDutyRegion.US] = "\(standIn.apiBaseURL)/v2/enqueue"
            """
        let trigger = try await Apprise.notify(
            url: "pagerduty://\(Self.routingKey)@apikey/web?dedup=k1", title: "t", body: "down", setup: setup)
        #expect(trigger.status == 0, "\(trigger.output)")
        let resolve = try await Apprise.notify(
            url: "pagerduty://\(Self.routingKey)@apikey/web?dedup=k1&action=resolve", title: "t", body: "up",
            setup: setup)
        #expect(resolve.status == 0, "\(resolve.output)")
        let refused = try await Apprise.notify(
            url: "pagerduty://short@apikey/web", title: "t", body: "b", setup: setup)
        #expect(refused.status != 0)
        #expect(standIn.incidents == [.init(dedupKey: "k1", open: false, triggers: 1)])
        #expect(standIn.events.first?.source == "web")
    }
}
