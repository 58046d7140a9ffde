import Foundation
import Logging
import TestSupport
import Testing

@testable import Notify

/// Matrix (SPEC §5.1) against a real Synapse on loopback: what the watchdog posts is read
/// back by another member of the room, and the server itself says what is threaded and
/// what was edited.
@Suite(.serialized, .enabled(if: RealSynapse.available || Apprise.required)) struct MatrixTests {
    func channel(_ synapse: RealSynapse, room: String = "#ops:localhost", token: String? = nil) -> MatrixChannel {
        MatrixChannel(
            name: "matrix",
            settings: MatrixSettings(
                homeserverURL: synapse.baseURL, accessToken: token ?? synapse.botToken, room: room),
            language: .en, post: HTTPPost(timeout: .seconds(15)))
    }

    static func content(_ event: [String: Any]) -> [String: Any] { event["content"] as? [String: Any] ?? [:] }

    @Test func aFireItsRepeatAndResolveAreThreadedAndTheFireEdited() async throws {
        let synapse = try await RealSynapse.start()
        let room = try await synapse.createRoom(alias: "ops")
        let matrix = channel(synapse)
        let hostile = notification(
            "f", .fire, title: "@room <b>bold</b> & \"quoted\"", detail: "<a href='https://evil.example'>x</a>")
        let outbox = await deliverAll(
            [
                .single(hostile), .single(notification("r", .repeat)), .single(notification("d", .resolve)),
            ], through: matrix)
        #expect(await outbox.pendingCount == 0)
        let messages = try await synapse.messages(in: room)
        try #require(messages.count == 4, "\(messages)")
        let fire = messages[0]
        let fireID = try #require(fire["event_id"] as? String)
        let content = Self.content(fire)
        #expect(content["msgtype"] as? String == "m.notice")
        #expect(content["format"] as? String == "org.matrix.custom.html")
        let html = try #require(content["formatted_body"] as? String)
        #expect(html.contains("@\u{200B}room &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"))
        #expect(html.contains("&lt;a href='https://evil.example'&gt;x&lt;/a&gt;"))
        #expect(!(content["body"] as? String ?? "").contains("@room"))
        #expect((content["m.mentions"] as? [String: Any])?.isEmpty == true)

        // The server threads the repeat and the resolve under the fire…
        let thread = try await synapse.thread(of: fireID, in: room)
        #expect(
            Set(thread.compactMap { $0["event_id"] as? String })
                == Set([messages[1], messages[2]].compactMap { $0["event_id"] as? String }))
        // …and serves the fire with its edit, which says how it ended.
        let served = try await synapse.event(fireID, in: room)
        let relations = (served["unsigned"] as? [String: Any])?["m.relations"] as? [String: Any]
        let edit = try #require(relations?["m.replace"] as? [String: Any], "\(served)")
        #expect(edit["event_id"] as? String == messages[3]["event_id"] as? String)
        let newContent = Self.content(messages[3])["m.new_content"] as? [String: Any]
        #expect((newContent?["body"] as? String)?.contains("RESOLVED") == true)

        // A retried send is the same transaction: the same event, nothing posted twice.
        let again = await matrix.send(matrix.render(.single(hostile))[0])
        #expect(again == .deliveredAs(reference: fireID))
        #expect(try await synapse.messages(in: room).count == 4)

        // A private room the bot was invited to: it joins by itself and posts.
        let invited = try await synapse.createRoom(alias: "private", byReader: true, invitingBot: true)
        let joined = await deliverAll(
            [.single(notification("p", .fire))], through: channel(synapse, room: "#private:localhost"))
        #expect(await joined.pendingCount == 0)
        #expect(try await synapse.messages(in: invited).count == 1)
        // Not invited: refused with the server's words; nothing is kept of it.
        _ = try await synapse.createRoom(alias: "closed", byReader: true, invitingBot: false)
        let closed = await channel(synapse, room: "#closed:localhost").send(matrix.render(.single(hostile))[0])
        guard case .permanent(let closedReason) = closed else {
            Issue.record("expected a permanent failure, got \(closed)")
            return
        }
        #expect(closedReason.hasPrefix("join #closed:localhost: HTTP 403 M_FORBIDDEN"), "\(closedReason)")

        // What cannot work is refused with the server's reason, the token never shown.
        _ = try await synapse.createRoom(alias: "secret", encrypted: true)
        let encrypted = await channel(synapse, room: "#secret:localhost").send(matrix.render(.single(hostile))[0])
        #expect(
            encrypted
                == .permanent(
                    reason:
                        "room #secret:localhost is end-to-end encrypted; the watchdog posts only to unencrypted rooms"))
        let unknown = await channel(synapse, room: "#nowhere:localhost").send(matrix.render(.single(hostile))[0])
        guard case .permanent(let reason) = unknown else {
            Issue.record("expected a permanent failure, got \(unknown)")
            return
        }
        #expect(reason.hasPrefix("join #nowhere:localhost: HTTP 404 M_NOT_FOUND"), "\(reason)")
        let badToken = "syt_d2F0Y2hkb2c_not_a_real_token"
        let refused = await channel(synapse, room: room, token: badToken).send(matrix.render(.single(hostile))[0])
        guard case .permanent(let tokenReason) = refused else {
            Issue.record("expected a permanent failure, got \(refused)")
            return
        }
        #expect(tokenReason.contains("M_UNKNOWN_TOKEN") && !tokenReason.contains(badToken))
    }

    @Test func synapsesOwnRateLimitIsWaitedOutWithoutLossOrDuplicates() async throws {
        let synapse = try await RealSynapse.start(messagesPerSecond: 0.5, burst: 2)
        let room = try await synapse.createRoom(alias: "ops")
        let fires = (0..<5).map { NotificationBatch.single(notification("f\($0)", .fire, key: "/d\($0)")) }
        let outbox = await deliverAll(fires, through: channel(synapse))
        #expect(await outbox.pendingCount == 0)
        #expect(await outbox.counters.retried >= 1)
        let messages = try await synapse.messages(in: room)
        #expect(messages.count == 5)
        #expect(Set(messages.compactMap { Self.content($0)["body"] as? String }).count == 5)
    }
}

@Suite struct MatrixAPITests {
    @Test(arguments: [
        (
            429, #"{"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests","retry_after_ms":2500}"#,
            MatrixAPI.Verdict.retry(reason: "HTTP 429 M_LIMIT_EXCEEDED: Too Many Requests", after: 2.5)
        ),
        (502, "<html>bad gateway</html>", .retry(reason: "HTTP 502", after: nil)),
        (
            403, #"{"errcode":"M_FORBIDDEN","error":"not in room"}"#,
            .rejected(reason: "HTTP 403 M_FORBIDDEN: not in room")
        ),
        (200, #"{"event_id":"$abc"}"#, .delivered(eventID: "$abc")),
    ])
    func answersAreClassified(status: Int, body: String, verdict: MatrixAPI.Verdict) {
        #expect(MatrixAPI.classify(status: status, body: Array(body.utf8), retryAfterHeader: nil) == verdict)
    }

    @Test func idsAreEncodedWholeInThePath() {
        #expect(
            MatrixAPI.sendURL(base: "https://hs", room: "!a:hs", transaction: "disk:/data fire")
                == "https://hs/_matrix/client/v3/rooms/%21a%3Ahs/send/m.room.message/disk%3A%2Fdata%20fire")
        #expect(
            MatrixAPI.joinURL(base: "https://hs", room: "#ops:hs") == "https://hs/_matrix/client/v3/join/%23ops%3Ahs")
    }
}

/// The chat's answers as Matrix events (SPEC §13): escaped, nobody pinged, within the
/// event size limit however long, a reply (and in a thread when asked).
@Suite struct MatrixAnswerTests {
    static func object(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    @Test func aLongAnswerIsSplitIntoEventsSynapseTakes() throws {
        // Lines as the core writes them: HTML, outside text escaped; 2,000 of them with
        // four-byte emoji and escapes, far beyond one event.
        let lines =
            ["🔴 <b>2000 firing</b> on box-1"]
            + (0..<2_000).map { "<code>container_down:web-\($0)</code> · critical · 😀😀 &lt;b&gt; &amp; @room" }
        let events = MatrixRenderer.answer(lines, replyTo: "$command")
        #expect(events.count > 1)
        for (index, event) in events.enumerated() {
            // The whole event, with room for Synapse's own fields, stays under 64 KiB.
            #expect(event.utf8.count < 48 * 1024, "part \(index): \(event.utf8.count) bytes")
            let content = try Self.object(event)
            let relation = content["m.relates_to"] as? [String: Any]
            #expect(index == 0 ? relation != nil : relation == nil)
            let body = try #require(content["body"] as? String)
            let html = try #require(content["formatted_body"] as? String)
            #expect(!body.contains("@room") && !html.contains("@room") && !body.contains("<code>"))
            #expect(html.contains("&lt;b&gt;") && body.contains("<b>"))
            #expect((content["m.mentions"] as? [String: Any])?.isEmpty == true)
        }
        let text = try events.map { try #require(try Self.object($0)["body"] as? String) }.joined(separator: "\n")
        #expect(text.contains("container_down:web-0 ") && text.contains("container_down:web-1999 "))
    }

    @Test func anAnswerInAThreadStaysInIt() throws {
        let events = MatrixRenderer.answer(["one"], replyTo: "$command", thread: "$fire")
        let relation = try #require(try Self.object(events[0])["m.relates_to"] as? [String: Any])
        #expect(relation["rel_type"] as? String == "m.thread" && relation["event_id"] as? String == "$fire")
        #expect((relation["m.in_reply_to"] as? [String: Any])?["event_id"] as? String == "$command")
        #expect(relation["is_falling_back"] as? Bool == false)
    }
}
