import Foundation
import Logging
import NIOSSL
import TestSupport
import Testing

@testable import Notify

/// E-mail over SMTP (SPEC §5.1) against a real SMTP server on loopback (aiosmtpd, with
/// STARTTLS or TLS, AUTH, and a test CA), every message it kept read back with Python's
/// own `email` parser, as a mail client would.
@Suite(.enabled(if: RealSMTPServer.available || Apprise.required)) struct EmailTests {
    static let sender = "watchdog@example.com"
    static let recipients = ["ops@example.com", "oncall@example.org"]

    func channel(
        _ server: RealSMTPServer, security: SMTPSecurity = .starttls, password: String? = nil, trusted: Bool = true
    ) -> EmailChannel {
        var tls = TLSConfiguration.makeClientConfiguration()
        if trusted { tls.additionalTrustRoots = [.file(server.authority.authorityCertificate)] }
        let smtp = SMTPServer(host: "localhost", port: server.port, security: security)
        return EmailChannel(
            name: "mail",
            settings: EmailSettings(
                server: smtp, credentials: .init(user: server.user, password: password ?? server.password),
                sender: Self.sender, senderName: "Watchdog «prod»", recipients: Self.recipients,
                clientName: "watchdog.test"),
            language: .en,
            client: SMTPClient(server: smtp, connectTimeout: .seconds(5), conversationTimeout: .seconds(20), tls: tls))
    }

    /// A message as Python's `email` package reads it (policy `default`: RFC 2047 words
    /// decoded, the quoted-printable body decoded).
    struct Parsed: Decodable {
        let subject: String
        let messageID: String?
        let inReplyTo: String?
        let references: String?
        let from: String
        let to: String
        let bcc: String?
        let body: String
        let contentType: String
        let charset: String?
        let defects: Int
        let longestLine: Int
    }

    func parse(_ received: RealSMTPServer.Received) async throws -> Parsed {
        let script = """
            import json, sys, email, email.policy
            raw = sys.stdin.read()
            m = email.message_from_string(raw, policy=email.policy.default)
            print(json.dumps({"subject": str(m["subject"]), "messageID": m["message-id"],
                "inReplyTo": m["in-reply-to"], "references": m["references"], "from": str(m["from"]),
                "to": str(m["to"]), "bcc": m["bcc"], "body": m.get_content(), "contentType": m.get_content_type(),
                "charset": m.get_content_charset(), "defects": len(m.defects) + sum(len(p.defects) for p in m.walk()),
                "longestLine": max(len(line) for line in raw.split("\\r\\n"))}))
            """
        let run = try await Apprise.python(script, input: Data(received.content.utf8))
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(run.output)")
        return try JSONDecoder().decode(Parsed.self, from: Data(line.utf8))
    }

    @Test func aFireItsRepeatAndItsResolveThreadInAMailClientsSense() async throws {
        let server = try RealSMTPServer()
        let outbox = await deliverAll(
            [
                .single(notification("f", .fire)), .single(notification("r", .repeat)),
                .single(notification("d", .resolve)),
            ], through: channel(server))
        #expect(await outbox.pendingCount == 0)
        let received = server.received()
        try #require(received.count == 3)
        #expect(received.allSatisfy { $0.sender == Self.sender && $0.recipients == Self.recipients })
        let fire = try await parse(received[0])
        let repeated = try await parse(received[1])
        let resolve = try await parse(received[2])
        #expect(fire.subject == "[FIRING] Disk is almost full")
        #expect(repeated.subject == "[FIRING] Disk is almost full")
        #expect(resolve.subject == "[RESOLVED] Disk is almost full")
        let fireID = try #require(fire.messageID)
        #expect(fire.inReplyTo == nil)
        #expect(repeated.inReplyTo == fireID && repeated.references == fireID)
        #expect(resolve.inReplyTo == fireID && resolve.references == fireID)
        #expect(Set([fireID, repeated.messageID, resolve.messageID]).count == 3)
        #expect(fire.from == "Watchdog «prod» <watchdog@example.com>")
        #expect(fire.to == "ops@example.com, oncall@example.org")
        #expect(fire.contentType == "text/plain" && fire.charset == "utf-8")
        #expect(fire.body.contains("93% used"))
        #expect(resolve.body.contains("lasted 5m 12s"))
        #expect([fire, repeated, resolve].allSatisfy { $0.defects == 0 && $0.longestLine <= 78 })
        // STARTTLS came first: the server takes AUTH only over TLS.
        #expect(server.authentications().allSatisfy { $0 == "PLAIN ok" })
        #expect(server.authentications().count == 3)
    }

    @Test func implicitTLSFromTheFirstByte() async throws {
        let server = try RealSMTPServer(implicitTLS: true)
        let outbox = await deliverAll([.single(notification("f", .fire))], through: channel(server, security: .ssl))
        #expect(await outbox.pendingCount == 0)
        #expect(server.received().count == 1)
    }

    @Test func a4xxIsTriedAgainAndA5xxIsDroppedWithItsReason() async throws {
        let server = try RealSMTPServer()
        try server.refuse(["451 4.3.0 mailbox busy, try later"])
        let retried = await deliverAll([.single(notification("f", .fire))], through: channel(server))
        #expect(await retried.pendingCount == 0)
        #expect(await retried.counters.retried == 1)
        #expect(server.received().count == 1)

        try server.refuse(["554 5.7.1 message refused"])
        let mail = channel(server)
        let outcome = await mail.send(mail.render(.single(notification("g", .fire)))[0])
        #expect(outcome == .permanent(reason: "the message: 554 5.7.1 message refused"))
        #expect(server.received().count == 1)
    }

    @Test func aWrongPasswordIsPermanentAndNeverShown() async throws {
        let server = try RealSMTPServer()
        let mail = channel(server, password: "wrong-Pa55word")
        let outcome = await mail.send(mail.render(.single(notification("f", .fire)))[0])
        guard case .permanent(let reason) = outcome else {
            Issue.record("expected a permanent failure, got \(outcome)")
            return
        }
        #expect(reason.hasPrefix("AUTH: 535"))
        #expect(!reason.contains("wrong-Pa55word"))
        #expect(server.received().isEmpty)
    }

    @Test func aServerCertificateFromAnUnknownAuthorityIsRefused() async throws {
        let server = try RealSMTPServer()
        let mail = channel(server, trusted: false)
        let outcome = await mail.send(mail.render(.single(notification("f", .fire)))[0])
        guard case .retryable(let reason, _) = outcome else {
            Issue.record("expected a retryable failure, got \(outcome)")
            return
        }
        #expect(reason.contains("TLS"))
        #expect(server.received().isEmpty)
        #expect(server.authentications().isEmpty)
    }

    @Test func hostileTextCannotAddAHeaderOrEndTheMessage() async throws {
        let server = try RealSMTPServer()
        let hostile = notification(
            "h", .fire, title: "Диск почти полон\r\nBcc: thief@evil.example =?UTF-8?B?eA==?=",
            detail: "line one\n.\r\nQUIT " + String(repeating: ".", count: 300))
        let outbox = await deliverAll([.single(hostile)], through: channel(server))
        #expect(await outbox.pendingCount == 0)
        let received = try #require(server.received().first)
        #expect(received.recipients == Self.recipients)
        let parsed = try await parse(received)
        #expect(parsed.bcc == nil)
        #expect(parsed.subject == "[FIRING] Диск почти полон Bcc: thief@evil.example =?UTF-8?B?eA==?=")
        // Outside text is one line (cut to the detail's limit); its dots start
        // quoted-printable lines, which DATA doubles and the server undoes.
        #expect(parsed.body.contains("line one . QUIT " + String(repeating: ".", count: 200)))
        #expect(received.content.contains("\r\n."))
        #expect(parsed.defects == 0 && parsed.longestLine <= 78)
    }
}

/// A server that answers STARTTLS with its 220 and, in the same breath, replies meant
/// to be read as if they came inside TLS (a STARTTLS command injection).
@Suite struct STARTTLSInjectionTests {
    static let script = #"""
        import socket, sys
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        print(server.getsockname()[1], flush=True)
        connection, _ = server.accept()
        connection.sendall(b"220 evil ESMTP\r\n")
        reader = connection.makefile("rb")
        seen = []
        for line in reader:
            seen.append(line.strip().decode())
            if line.startswith(b"EHLO"):
                connection.sendall(b"250-evil\r\n250 STARTTLS\r\n")
            elif line.startswith(b"STARTTLS"):
                connection.sendall(b"220 go ahead\r\n250-evil\r\n250 AUTH PLAIN\r\n")
        print(" | ".join(seen), flush=True)
        """#

    @Test func repliesSentInClearTextAfterTheSTARTTLS220AreRefused() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != 10 {
            line.append(first)
        }
        let port = try #require(Int(String(decoding: line, as: UTF8.self)))
        let server = SMTPServer(host: "127.0.0.1", port: port, security: .starttls)
        let client = SMTPClient(server: server, connectTimeout: .seconds(5), conversationTimeout: .seconds(10))
        let outcome = await client.deliver(
            MailFormat.dataSection("Subject: x\n\nbody"),
            conversation: SMTPConversation(
                security: .starttls, clientName: "me.example", credentials: .init(user: "u", password: "secret"),
                sender: "w@x.example", recipients: ["a@x.example"]))
        #expect(outcome == .reject("the server sent more after its 220 to STARTTLS; refused (a plaintext injection)"))
        process.waitUntilExit()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Nothing after STARTTLS: no credentials, no envelope.
        #expect(said.trimmingCharacters(in: .whitespacesAndNewlines) == "EHLO me.example | STARTTLS")
    }
}

@Suite struct MailFormatTests {
    @Test func plainShortTextStaysAsItIs() {
        #expect(
            MailFormat.headerText("[FIRING] Disk is almost full", fieldName: "Subject")
                == "[FIRING] Disk is almost full")
    }

    @Test func otherTextBecomesEncodedWordsThatNeverSplitACharacter() throws {
        let text = String(repeating: "é🔥", count: 40)
        let encoded = MailFormat.headerText(text, fieldName: "Subject")
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = ""
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            decoded += try #require(String(data: payload, encoding: .utf8))
        }
        #expect(decoded == text)
    }

    @Test func quotedPrintableLinesStayShortAndDecodeBack() {
        let text = "a=b \u{00E9}\t\n" + String(repeating: "x", count: 200) + " \n" + String(repeating: "ü", count: 50)
        let encoded = MailFormat.quotedPrintable(text)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(Self.decodeQuotedPrintable(encoded) == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "="), index + 2 < source.count,
                let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func dataDoublesALeadingDotAndEndsWithTheDotLine() {
        #expect(MailFormat.dataSection("a\n.\n..b\nc") == "a\r\n..\r\n...b\r\nc\r\n.\r\n")
    }

    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 +0000"), (1_800_000_000, "Fri, 15 Jan 2027 08:00:00 +0000"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
    ])
    func datesAreRFC5322(seconds: Double, text: String) {
        #expect(MailFormat.date(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test(arguments: [
        ("ops@example.com", true), ("a.b+c@mail.example.org", true), ("no-at.example.com", false),
        ("two@@example.com", false), ("sp ace@example.com", false), ("<x@example.com>", false),
        ("x@example.com\r\nBcc: y@z", false), ("x@", false), ("x@example..com", false), ("ü@example.com", false),
    ])
    func addresses(text: String, valid: Bool) {
        #expect(MailFormat.isAddress(text) == valid)
    }
}

@Suite struct SMTPConversationTests {
    typealias Action = SMTPConversation.Action

    func conversation(
        _ security: SMTPSecurity = .starttls, credentials: Bool = true, recipients: [String] = ["a@x.example"]
    ) -> SMTPConversation {
        SMTPConversation(
            security: security, clientName: "me.example",
            credentials: credentials ? .init(user: "u", password: "p") : nil, sender: "w@x.example",
            recipients: recipients)
    }

    func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    @Test func starttlsThenAuthPlainThenTheMessage() {
        var smtp = conversation(recipients: ["a@x.example", "b@x.example"])
        #expect(smtp.received(reply(220, "hi")) == .send("EHLO me.example"))
        #expect(smtp.received(reply(250, "hello", "STARTTLS", "SIZE 100")) == .send("STARTTLS"))
        #expect(smtp.received(reply(220, "go ahead")) == .startTLS)
        #expect(smtp.tlsStarted() == .send("EHLO me.example"))
        #expect(smtp.received(reply(250, "hello", "AUTH LOGIN PLAIN")) == .send("AUTH PLAIN AHUAcA=="))
        #expect(smtp.received(reply(235, "ok")) == .send("MAIL FROM:<w@x.example>"))
        #expect(smtp.received(reply(250, "ok")) == .send("RCPT TO:<a@x.example>"))
        #expect(smtp.received(reply(250, "ok")) == .send("RCPT TO:<b@x.example>"))
        #expect(smtp.received(reply(251, "forwarded")) == .send("DATA"))
        #expect(smtp.received(reply(354, "go")) == .sendMessage)
        #expect(smtp.received(reply(250, "queued")) == .finish(.delivered, quit: true))
    }

    @Test func authLoginWhenPlainIsNotOffered() {
        var smtp = conversation(.ssl)
        _ = smtp.received(reply(220, "hi"))
        #expect(smtp.received(reply(250, "hello", "AUTH LOGIN")) == .send("AUTH LOGIN"))
        #expect(smtp.received(reply(334, "VXNlcm5hbWU6")) == .send("dQ=="))
        #expect(smtp.received(reply(334, "UGFzc3dvcmQ6")) == .send("cA=="))
        #expect(smtp.received(reply(235, "ok")) == .send("MAIL FROM:<w@x.example>"))
    }

    @Test(arguments: [
        // (security, credentials, EHLO's extensions, what it ends with)
        (SMTPSecurity.starttls, true, ["AUTH PLAIN"], "the server does not offer STARTTLS"),
        (SMTPSecurity.insecure, true, ["SIZE 10"], "the server offers neither AUTH PLAIN nor AUTH LOGIN"),
    ])
    func refusesWhatItCannotDoSafely(security: SMTPSecurity, credentials: Bool, extensions: [String], reason: String) {
        var smtp = conversation(security, credentials: credentials)
        _ = smtp.received(reply(220, "hi"))
        let action = smtp.received(SMTPReply(code: 250, lines: ["hello"] + extensions))
        guard case .finish(.reject(let text), quit: true) = action else {
            Issue.record("expected a refusal, got \(action)")
            return
        }
        #expect(text.hasPrefix(reason))
    }

    @Test func anOldServerGetsHeloAndNoCredentials() {
        var smtp = conversation(.insecure, credentials: false)
        _ = smtp.received(reply(220, "hi"))
        #expect(smtp.received(reply(502, "unknown command")) == .send("HELO me.example"))
        #expect(smtp.received(reply(250, "hello")) == .send("MAIL FROM:<w@x.example>"))
    }

    @Test(arguments: [
        (421, SMTPConversation.Outcome.retry("greeting: 421 busy")),
        (554, SMTPConversation.Outcome.reject("greeting: 554 busy")),
    ])
    func aRefusedGreeting(code: Int, outcome: SMTPConversation.Outcome) {
        var smtp = conversation()
        #expect(smtp.received(reply(code, "busy")) == .finish(outcome, quit: true))
    }

    @Test func aRecipientRefusedEndsBeforeDataSoNobodyGetsItTwice() {
        var smtp = conversation(.insecure, credentials: false, recipients: ["a@x.example", "b@x.example"])
        _ = smtp.received(reply(220, "hi"))
        _ = smtp.received(reply(250, "hello"))
        _ = smtp.received(reply(250, "ok"))
        #expect(smtp.received(reply(250, "ok")) == .send("RCPT TO:<b@x.example>"))
        #expect(
            smtp.received(reply(452, "4.2.2 mailbox full"))
                == .finish(.retry("RCPT TO: 452 4.2.2 mailbox full"), quit: true))
    }
}

@Suite struct SMTPReplyReaderTests {
    @Test func repliesSplitAnywhereAreJoinedAndMultilineRepliesKept() throws {
        var reader = SMTPReplyReader()
        #expect(try reader.read(Array("250-mail.example hello\r\n250-STAR".utf8)).isEmpty)
        let replies = try reader.read(Array("TTLS\r\n250 AUTH PLAIN\r\n220 ready\n".utf8))
        #expect(
            replies == [
                SMTPReply(code: 250, lines: ["mail.example hello", "STARTTLS", "AUTH PLAIN"]),
                SMTPReply(code: 220, lines: ["ready"]),
            ])
    }

    @Test func aLineThatNeverEndsIsAnErrorNotABuffer() {
        var reader = SMTPReplyReader()
        #expect(throws: SMTPReplyReader.ReadError.lineTooLong) {
            try reader.read([UInt8](repeating: UInt8(ascii: "2"), count: 10_000))
        }
    }

    @Test func endlessContinuationsAreAnError() {
        var reader = SMTPReplyReader()
        #expect(throws: SMTPReplyReader.ReadError.tooManyLines) {
            try reader.read(Array(String(repeating: "250-x\r\n", count: 500).utf8))
        }
    }

    @Test(arguments: ["HTTP/1.1 400 Bad Request\r\n", "25\r\n", "250x\r\n", "250-a\r\n354 b\r\n", "999 no\r\n"])
    func somethingElseThanSMTPIsAnError(text: String) {
        var reader = SMTPReplyReader()
        #expect(throws: SMTPReplyReader.ReadError.self) { try reader.read(Array(text.utf8)) }
    }
}
