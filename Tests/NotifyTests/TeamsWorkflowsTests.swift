import AsyncHTTPClient
import Foundation
import Logging
import NIOSSL
import TestSupport
import Testing

@testable import Notify

/// Microsoft Teams through a Workflows trigger (SPEC §5.1), against an HTTPS stand-in
/// that answers as Logic Apps documents, and that stand-in checked with Apprise.
@Suite struct TeamsWorkflowsTests {
    static let workflow = "643e69f83c8944438d68119179a10a64"
    static let signature = "KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A"

    /// An HTTP client that trusts the stand-in's test CA, as WATCHDOG_CA_FILE makes the
    /// watchdog's.
    static func client(trusting standIn: TeamsWorkflowsStandIn) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.additionalTrustRoots = [.file(standIn.authority.authorityCertificate)]
        return HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(tlsConfiguration: tls))
    }

    func channel(_ standIn: TeamsWorkflowsStandIn, client: HTTPClient, signature: String = signature)
        -> TeamsWorkflowsChannel
    {
        TeamsWorkflowsChannel(
            name: "teams",
            settings: TeamsWorkflowsSettings(
                baseURL: standIn.server.httpsURL, workflowID: Self.workflow, signature: signature),
            language: .en, post: HTTPPost(client: client, timeout: .seconds(15)))
    }

    static func texts(_ card: [String: Any]) -> [[String: Any]] {
        ((card["body"] as? [[String: Any]]) ?? []).flatMap { ($0["inlines"] as? [[String: Any]]) ?? [] }
    }

    @Test func aFireAndItsResolveAreCardsAndA429AndA5xxAreSurvived() async throws {
        let standIn = try await TeamsWorkflowsStandIn.start(workflowID: Self.workflow, signature: Self.signature)
        let client = Self.client(trusting: standIn)
        standIn.inject([.rateLimited(retryAfter: 1), .serverError(502)])
        let outbox = await deliverAll(
            [.single(notification("f", .fire)), .single(notification("d", .resolve))],
            through: channel(standIn, client: client))
        #expect(await outbox.pendingCount == 0)
        #expect(await outbox.counters.retried == 2)
        let cards = standIn.cards
        try #require(cards.count == 2)
        let fire = Self.texts(cards[0])
        #expect((fire.first?["text"] as? String)?.hasPrefix("🔴 FIRING · Disk is almost full") == true)
        #expect(fire.first?["color"] as? String == "Attention")
        #expect(fire.contains { ($0["text"] as? String)?.contains("93% used") == true })
        #expect(Self.texts(cards[1]).first?["color"] as? String == "Good")
        #expect(cards.allSatisfy { $0["version"] as? String == "1.4" })
        try await client.shutdown()
        await standIn.stop()
    }

    @Test func outsideTextIsNeverMarkdownAndMentionsNobody() async throws {
        let standIn = try await TeamsWorkflowsStandIn.start(workflowID: Self.workflow, signature: Self.signature)
        let client = Self.client(trusting: standIn)
        let hostile = notification("h", .fire, title: "<at>everyone</at> **bold** [x](https://evil.example)")
        _ = await deliverAll([.single(hostile)], through: channel(standIn, client: client))
        let card = try #require(standIn.cards.first)
        // TextRuns are never read as markdown, and no mention entity is declared.
        #expect(Self.texts(card).allSatisfy { $0["type"] as? String == "TextRun" })
        #expect(
            (Self.texts(card).first?["text"] as? String)?.contains(
                "<at>everyone</at> **bold** [x](https://evil.example)")
                == true)
        #expect((card["msteams"] as? [String: Any])?["entities"] == nil)
        try await client.shutdown()
        await standIn.stop()
    }

    @Test func aWrongSignatureIsPermanentAndNeverShown() async throws {
        let standIn = try await TeamsWorkflowsStandIn.start(workflowID: Self.workflow, signature: Self.signature)
        let client = Self.client(trusting: standIn)
        let wrong = "WrongSig-0123456789abcdef"
        let teams = channel(standIn, client: client, signature: wrong)
        let outcome = await teams.send(teams.render(.single(notification("f", .fire)))[0])
        #expect(
            outcome
                == .permanent(
                    reason:
                        "HTTP 401: DirectApiInvalidAuthorizationSignature: The provided request has an invalid authorization signature."
                ))
        #expect(!teams.destination.contains(wrong))
        try await client.shutdown()
        await standIn.stop()
    }

    /// Apprise, an independent client, posts to the stand-in as it posts to Microsoft.
    @Test(.enabled(if: Apprise.available || Apprise.required))
    func appriseIsAcceptedByTheStandIn() async throws {
        let standIn = try await TeamsWorkflowsStandIn.start(workflowID: Self.workflow, signature: Self.signature)
        let run = try await Apprise.notify(
            url: "workflows://localhost:\(standIn.server.port)/\(Self.workflow)/\(Self.signature)/?verify=no",
            title: "From Apprise", body: "checks the stand-in")
        #expect(run.status == 0, "\(run.output)")
        #expect(standIn.cards.count == 1)
        let wrong = try await Apprise.notify(
            url: "workflows://localhost:\(standIn.server.port)/\(Self.workflow)/WrongSig/?verify=no",
            title: "From Apprise", body: "refused")
        #expect(wrong.status != 0)
        #expect(standIn.cards.count == 1)
        await standIn.stop()
    }
}
