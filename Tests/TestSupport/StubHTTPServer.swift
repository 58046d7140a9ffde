import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One request as a stub server received it.
public struct RecordedRequest: Sendable {
    public let method: String
    public let uri: String
    public let headers: [String: String]
    public let body: [UInt8]
    public let receivedAt: ContinuousClock.Instant

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public func json() -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// What a stub server answers; `hang` never answers, `delay` answers late, `trickle`
/// sends the head at once and then the body one byte per interval.
public struct StubResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: String
    public var delay: Duration
    public var hang: Bool
    public var trickle: Duration?

    public init(
        status: Int, headers: [String: String] = [:], body: String = "", delay: Duration = .zero, hang: Bool = false,
        trickle: Duration? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.hang = hang
        self.trickle = trickle
    }

    public static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> StubResponse {
        StubResponse(
            status: status, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a }, body: body)
    }

    public static func text(_ status: Int, _ body: String, headers: [String: String] = [:]) -> StubResponse {
        StubResponse(status: status, headers: headers.merging(["Content-Type": "text/plain"]) { a, _ in a }, body: body)
    }

    public static let hangs = StubResponse(status: 0, hang: true)
}

/// A real HTTP/1.1 server on 127.0.0.1 and an ephemeral port whose answers a test
/// scripts: the stand-in for Telegram, Slack and webhook receivers. It records every
/// request it receives, in order.
public final class StubHTTPServer: Sendable {
    public let port: Int
    /// The address it listens on: loopback unless a test asks for another of this
    /// machine's own addresses (a Docker bridge gateway, for containers to reach it).
    public let host: String
    private let channel: any Channel
    private let recorded: Mutex<[RecordedRequest]>
    /// Tests waiting for a request, woken by `record` (never by polling).
    private let waiters = Mutex<[UInt64: AsyncStream<Void>.Continuation]>([:])
    private let nextWaiter = Atomic<UInt64>(0)

    public var baseURL: String { "http://\(host):\(port)" }
    public var httpsURL: String { "https://localhost:\(port)" }
    public var requests: [RecordedRequest] { recorded.withLock { $0 } }

    private let log: Log

    private init(host: String, port: Int, channel: any Channel, log: Log) {
        self.host = host
        self.port = port
        self.channel = channel
        self.log = log
        self.recorded = Mutex([])
    }

    /// With `certificate` and `privateKey` (PEM files) the server speaks HTTPS; with
    /// `unixSocket` it listens on that socket path instead of a port (the Docker Engine
    /// API's stand-in).
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, unixSocket: String? = nil, certificate: String? = nil,
        privateKey: String? = nil,
        _ respond: @escaping @Sendable (RecordedRequest) async -> StubResponse
    ) async throws -> StubHTTPServer {
        let log = Log()
        let tls: NIOSSLContext? =
            if let certificate, let privateKey {
                try NIOSSLContext(
                    configuration: TLSConfiguration.makeServerConfiguration(
                        certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                        privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKey, format: .pem))))
            } else {
                nil
            }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                log.connections.withLock { $0.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        StubHandler(
                            respond: { request in
                                log.append(request)
                                return await respond(request)
                            }))
                }
            }
        let channel =
            if let unixSocket {
                try await bootstrap.bind(unixDomainSocketPath: unixSocket, cleanupExistingSocketFile: true).get()
            } else {
                try await bootstrap.bind(host: host, port: port).get()
            }
        let server = StubHTTPServer(
            host: unixSocket ?? host, port: channel.localAddress?.port ?? 0, channel: channel, log: log)
        log.server.withLock { $0 = server }
        return server
    }

    /// Closes the listening socket and every open connection, so a client with a
    /// pooled keep-alive connection also finds the server gone.
    public func stop() async {
        try? await channel.close()
        for connection in log.connections.withLock({ $0 }) {
            try? await connection.close()
        }
    }

    fileprivate func record(_ request: RecordedRequest) {
        recorded.withLock { $0.append(request) }
        for waiter in waiters.withLock({ Array($0.values) }) { waiter.yield() }
    }

    /// The first recorded request, earlier ones included, that `matches`: returns as soon
    /// as it arrives, and throws when none has within `limit`.
    @discardableResult
    public func request(
        within limit: Duration, _ description: String, where matches: @escaping @Sendable (RecordedRequest) -> Bool
    ) async throws -> RecordedRequest {
        let (arrivals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        waiters.withLock { $0[id] = continuation }
        defer { waiters.withLock { _ = $0.removeValue(forKey: id) } }
        let timer = Task {
            try? await Task.sleep(for: limit)
            continuation.finish()
        }
        defer { timer.cancel() }
        continuation.yield()  // look at what has arrived already
        for await _ in arrivals {
            if let found = requests.first(where: matches) { return found }
        }
        if let found = requests.first(where: matches) { return found }
        throw WaitFailure(description: "no \(description) within \(limit); \(requests.count) other requests")
    }

    public struct WaitFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Forwards records to the server once it exists (the handler is built first).
    private final class Log: Sendable {
        let server = Mutex<StubHTTPServer?>(nil)
        let connections = Mutex<[any Channel]>([])
        func append(_ request: RecordedRequest) {
            server.withLock { $0 }?.record(request)
        }
    }
}

private final class StubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let respond: @Sendable (RecordedRequest) async -> StubResponse
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(respond: @escaping @Sendable (RecordedRequest) async -> StubResponse) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let request = RecordedRequest(
                method: head.method.rawValue, uri: head.uri, headers: headers, body: body,
                receivedAt: ContinuousClock.now)
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let respond = self.respond
            Task {
                let response = await respond(request)
                if response.hang { return }
                if response.delay > .zero { try? await Task.sleep(for: response.delay) }
                loop.execute {
                    let (handler, context) = bound.value
                    handler.write(response, context: context)
                }
            }
        }
    }

    private func write(_ response: StubResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers.map { ($0.key, $0.value) })
        headers.replaceOrAdd(name: "Content-Length", value: "\(response.body.utf8.count)")
        let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: response.status), headers: headers)
        if let trickle = response.trickle {
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            trickleBody(Array(response.body.utf8)[...], every: trickle, context: context)
            return
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// One byte, then the rest after `every`: a peer that answers but never finishes.
    private func trickleBody(_ rest: ArraySlice<UInt8>, every: Duration, context: ChannelHandlerContext) {
        guard let byte = rest.first, context.channel.isActive else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: [byte])))), promise: nil)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let nanoseconds = every.components.seconds * 1_000_000_000 + every.components.attoseconds / 1_000_000_000
        context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            let (handler, context) = bound.value
            handler.trickleBody(rest.dropFirst(), every: every, context: context)
        }
    }
}
