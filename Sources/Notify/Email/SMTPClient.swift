import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import OutboundHTTP

/// Where an SMTP server is and how to talk to it.
public struct SMTPServer: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var security: SMTPSecurity

    public init(host: String, port: Int, security: SMTPSecurity) {
        self.host = host
        self.port = port
        self.security = security
    }
}

/// Carries out one `SMTPConversation` over a connection: TCP, TLS from the start or
/// after `STARTTLS` (verified against the system's authorities and those of
/// `WATCHDOG_CA_FILE`), every reply read by the bounded `SMTPReplyReader`, the whole
/// delivery bounded in time. Never throws: every failure is an outcome.
public struct SMTPClient: Sendable {
    public let server: SMTPServer
    /// Connecting, and the whole conversation after it.
    public let connectTimeout: Duration
    public let conversationTimeout: Duration
    /// The TLS settings; `OutboundHTTP.tlsConfiguration` unless a test gives its own.
    public let tls: TLSConfiguration

    public init(
        server: SMTPServer, connectTimeout: Duration, conversationTimeout: Duration,
        tls: TLSConfiguration = OutboundHTTP.tlsConfiguration
    ) {
        self.server = server
        self.connectTimeout = connectTimeout
        self.conversationTimeout = conversationTimeout
        self.tls = tls
    }

    /// Delivers `message` (its DATA section, dot-stuffed) as `conversation` says.
    public func deliver(_ message: String, conversation: SMTPConversation) async -> SMTPConversation.Outcome {
        var conversation = conversation
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            return .reject("TLS settings: \(error)")
        }
        let serverName = Self.isAddressLiteral(server.host) ? nil : server.host
        let (replies, sink) = AsyncThrowingStream<SMTPReply, any Error>.makeStream()
        let implicitTLS = server.security == .ssl
        let handler = SMTPReplyHandler(sink: sink)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: server.host, port: server.port).get()
        } catch {
            sink.finish()
            return .retry(
                "connect: "
                    + HTTPExchange.classify(error, target: .init(host: server.host, port: server.port)).description)
        }
        let timedOut = NIOLockedValueBox(false)
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(conversationTimeout)) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        do {
            var consumed = 0
            for try await reply in replies {
                consumed += 1
                var action = conversation.received(reply)
                if action == .startTLS {
                    // Anything the server sent after its 220 was sent in clear text and
                    // would be read as answers inside TLS (a STARTTLS injection): refused.
                    // Checked and TLS put in place in one turn of the event loop, so no
                    // read can come between.
                    let drained = consumed
                    let secured = try await channel.eventLoop.submit {
                        guard handler.isDrained(consumed: drained) else { return false }
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverName), position: .first)
                        return true
                    }.get()
                    guard secured else {
                        return .reject(
                            "the server sent more after its 220 to STARTTLS; refused (a plaintext injection)")
                    }
                    action = conversation.tlsStarted()
                }
                switch action {
                case .send(let line):
                    try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n")).get()
                case .sendMessage:
                    try await channel.writeAndFlush(ByteBuffer(string: message)).get()
                case .finish(let outcome, let quit):
                    if quit { try? await channel.writeAndFlush(ByteBuffer(string: "QUIT\r\n")).get() }
                    return outcome
                case .startTLS:
                    return .reject("the server asked for STARTTLS twice")
                }
            }
            if timedOut.withLockedValue({ $0 }) {
                return .retry("no answer within \(conversationTimeout) (\(conversation.stepName))")
            }
            return .retry("the server closed the connection (\(conversation.stepName))")
        } catch {
            if timedOut.withLockedValue({ $0 }) {
                return .retry("no answer within \(conversationTimeout) (\(conversation.stepName))")
            }
            // A failed TLS handshake closes the connection: the write that found it
            // closed is not the reason, the handshake's error is.
            return .retry("\(conversation.stepName): \(Self.describe(handler.failure ?? error))")
        }
    }

    static func isAddressLiteral(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }

    /// An error in the words the HTTP stack uses for the same failures (a refused
    /// connection, an untrusted certificate), a reply the reader refused in its own.
    static func describe(_ error: any Error) -> String {
        if let error = error as? SMTPReplyReader.ReadError { return error.description }
        return HTTPExchange.classify(error).description
    }
}

extension SMTPConversation {
    /// Where the conversation is, for an error text: `greeting`, `RCPT TO`.
    var stepName: String {
        switch step {
        case .greeting: "greeting"
        case .ehlo, .ehloAfterTLS: "EHLO"
        case .helo: "HELO"
        case .startTLS: "STARTTLS"
        case .authPlain, .authLoginUser, .authLoginPassword, .authLoginDone: "AUTH"
        case .mailFrom: "MAIL FROM"
        case .recipient: "RCPT TO"
        case .data: "DATA"
        case .message: "the message"
        case .done: "QUIT"
        }
    }
}

/// Turns the bytes of the connection into replies for the conversation's loop; an error
/// or the connection's end finishes the stream.
final class SMTPReplyHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let sink: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    private let reader = NIOLockedValueBox(SMTPReplyReader())
    private let firstFailure = NIOLockedValueBox<(any Error)?>(nil)

    /// The first error the connection met (a TLS handshake's, a reply too long).
    var failure: (any Error)? { firstFailure.withLockedValue { $0 } }

    init(sink: AsyncThrowingStream<SMTPReply, any Error>.Continuation) {
        self.sink = sink
    }

    private let yielded = NIOLockedValueBox(0)

    /// Whether every byte read so far was a reply, and the conversation has taken all
    /// `consumed` of them. On the event loop, so no read comes between.
    func isDrained(consumed: Int) -> Bool {
        reader.withLockedValue { $0.isEmpty } && yielded.withLockedValue { $0 } == consumed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            let replies = try reader.withLockedValue { reader throws(SMTPReplyReader.ReadError) in
                try reader.read(buffer.readableBytesView)
            }
            yielded.withLockedValue { $0 += replies.count }
            for reply in replies { sink.yield(reply) }
        } catch {
            record(error)
            sink.finish(throwing: error)
            context.close(promise: nil)
        }
    }

    private func record(_ error: any Error) {
        firstFailure.withLockedValue { if $0 == nil { $0 = error } }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        record(error)
        sink.finish(throwing: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        sink.finish()
        context.fireChannelInactive()
    }
}
