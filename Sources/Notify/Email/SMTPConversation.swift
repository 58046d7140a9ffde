import FoundationEssentials

/// One reply of an SMTP server (RFC 5321 §4.2): its code and the text of its lines.
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// `550 5.1.1 no such user` — the code and the first line, cut, for an error text.
    var summary: String {
        let text = lines.first.map { ChannelText.cut($0, to: 200) } ?? ""
        return text.isEmpty ? "\(code)" : "\(code) \(text)"
    }
}

/// How the conversation secures itself (Apprise's `mode=`).
public enum SMTPSecurity: String, Sendable, Equatable, CaseIterable {
    /// Plain, then `STARTTLS` before anything else; refused when the server does not
    /// offer it (the default of `mailtos://`, port 587).
    case starttls
    /// TLS from the first byte (`mode=ssl`, port 465).
    case ssl
    /// No TLS at all (`mode=insecure`, port 25; the default of `mailto://`).
    case insecure
}

/// One SMTP delivery as a state machine (RFC 5321, RFC 3207 STARTTLS, RFC 4954 AUTH):
/// a reply in, what to do next out. Pure; `SMTPClient` carries its actions out.
///
/// greeting → EHLO (→ HELO) → [STARTTLS → EHLO] → [AUTH PLAIN | LOGIN] → MAIL FROM →
/// RCPT TO each → DATA → the message → QUIT. Any 4xx is worth another try and any 5xx
/// is not; either ends the conversation before DATA, so a message reaches every
/// recipient or none (a retry cannot duplicate it for some).
public struct SMTPConversation: Sendable {
    public enum Action: Sendable, Equatable {
        /// Write one command line (CRLF added by the writer).
        case send(String)
        /// Put TLS under the connection, then call `tlsStarted()`.
        case startTLS
        /// Write the message's DATA section.
        case sendMessage
        /// Write `QUIT` (when `quit`), close the connection and report `outcome`.
        case finish(Outcome, quit: Bool)
    }

    public enum Outcome: Sendable, Equatable {
        case delivered
        case retry(String)
        case reject(String)
    }

    enum Step: Sendable, Equatable {
        case greeting, ehlo, helo, startTLS, ehloAfterTLS
        case authPlain, authLoginUser, authLoginPassword, authLoginDone
        case mailFrom
        case recipient(Int)
        case data, message, done
    }

    public struct Credentials: Sendable, Equatable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    let security: SMTPSecurity
    let clientName: String
    let credentials: Credentials?
    let sender: String
    let recipients: [String]
    private(set) var step: Step = .greeting
    private(set) var extensions: Set<String> = []
    private(set) var authMechanisms: Set<String> = []

    public init(
        security: SMTPSecurity, clientName: String, credentials: Credentials?, sender: String, recipients: [String]
    ) {
        self.security = security
        self.clientName = clientName
        self.credentials = credentials
        self.sender = sender
        self.recipients = recipients
    }

    /// The next action after `reply`.
    public mutating func received(_ reply: SMTPReply) -> Action {
        switch step {
        case .greeting:
            guard reply.code == 220 else { return fail("greeting", reply) }
            step = .ehlo
            return .send("EHLO \(clientName)")
        case .ehlo, .ehloAfterTLS:
            guard reply.code == 250 else {
                // A server from before RFC 1869: HELO, without extensions, is all it has.
                if step == .ehlo, reply.code >= 500 {
                    step = .helo
                    return .send("HELO \(clientName)")
                }
                return fail("EHLO", reply)
            }
            readExtensions(reply)
            if step == .ehlo, security == .starttls {
                guard extensions.contains("STARTTLS") else {
                    return .finish(
                        .reject("the server does not offer STARTTLS (mode=starttls); nothing is sent in clear text"),
                        quit: true)
                }
                step = .startTLS
                return .send("STARTTLS")
            }
            return authenticateOrSend()
        case .helo:
            guard reply.code == 250 else { return fail("HELO", reply) }
            if security == .starttls {
                return .finish(
                    .reject("the server does not offer STARTTLS (mode=starttls); nothing is sent in clear text"),
                    quit: true)
            }
            return authenticateOrSend()
        case .startTLS:
            guard reply.code == 220 else { return fail("STARTTLS", reply) }
            return .startTLS
        case .authPlain, .authLoginDone:
            guard reply.code == 235 else { return fail("AUTH", reply) }
            return mailFrom()
        case .authLoginUser:
            guard reply.code == 334, let credentials else { return fail("AUTH LOGIN", reply) }
            step = .authLoginPassword
            return .send(Self.base64(credentials.user))
        case .authLoginPassword:
            guard reply.code == 334, let credentials else { return fail("AUTH LOGIN", reply) }
            step = .authLoginDone
            return .send(Self.base64(credentials.password))
        case .mailFrom:
            guard reply.code == 250 else { return fail("MAIL FROM", reply) }
            return recipient(0)
        case .recipient(let index):
            guard reply.code == 250 || reply.code == 251 else { return fail("RCPT TO", reply) }
            if index + 1 < recipients.count { return recipient(index + 1) }
            step = .data
            return .send("DATA")
        case .data:
            guard reply.code == 354 else { return fail("DATA", reply) }
            step = .message
            return .sendMessage
        case .message:
            guard reply.code == 250 else { return fail("the message", reply) }
            step = .done
            return .finish(.delivered, quit: true)
        case .done:
            return .finish(.delivered, quit: false)
        }
    }

    /// After the TLS handshake that `STARTTLS` started: the session starts again
    /// (RFC 3207 §4.2), so the extensions are asked for again.
    public mutating func tlsStarted() -> Action {
        extensions = []
        authMechanisms = []
        step = .ehloAfterTLS
        return .send("EHLO \(clientName)")
    }

    /// Whether the server said it takes `keyword` (an EHLO line, upper-cased).
    public func offers(_ keyword: String) -> Bool { extensions.contains(keyword) }

    private mutating func readExtensions(_ reply: SMTPReply) {
        // The first line greets; every other names an extension and its parameters.
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            extensions.insert(keyword)
            if keyword == "AUTH" { authMechanisms.formUnion(words.dropFirst()) }
        }
    }

    private mutating func authenticateOrSend() -> Action {
        guard let credentials else { return mailFrom() }
        if authMechanisms.contains("PLAIN") {
            step = .authPlain
            return .send("AUTH PLAIN " + Self.base64("\0\(credentials.user)\0\(credentials.password)"))
        }
        if authMechanisms.contains("LOGIN") {
            step = .authLoginUser
            return .send("AUTH LOGIN")
        }
        let offered = authMechanisms.isEmpty ? "none" : authMechanisms.sorted().joined(separator: " ")
        return .finish(
            .reject("the server offers neither AUTH PLAIN nor AUTH LOGIN (it offers: \(offered))"), quit: true)
    }

    private mutating func mailFrom() -> Action {
        step = .mailFrom
        return .send("MAIL FROM:<\(sender)>")
    }

    private mutating func recipient(_ index: Int) -> Action {
        step = .recipient(index)
        return .send("RCPT TO:<\(recipients[index])>")
    }

    /// A refusal: 4xx is worth another try, anything else is not.
    private mutating func fail(_ what: String, _ reply: SMTPReply) -> Action {
        step = .done
        let reason = "\(what): \(reply.summary)"
        return .finish((400..<500).contains(reply.code) ? .retry(reason) : .reject(reason), quit: true)
    }

    static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}
