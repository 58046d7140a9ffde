import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Serves `Endpoint` over HTTP/1.1 with Hummingbird, as a service next to the tick loop.
///
/// A port that cannot be bound is logged as an error and the service then waits for
/// shutdown: the tick loop and the alerts it sends matter more than the endpoint, and a
/// compose healthcheck against `/healthz` makes the problem visible.
public struct HTTPEndpointService: Service {
    let endpoint: Endpoint
    let address: ListenAddress
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// Beyond this many open connections the quietest is closed for each new one
    /// (`ConnectionRoster`), so held idle connections cannot starve `/healthz`.
    static let keptConnections = 32
    /// Never more open at once, against file-descriptor exhaustion by clients that keep
    /// many connections busy.
    static let maximumConnections = 256
    static let idleTimeout = TimeAmount.seconds(30)

    public init(
        endpoint: Endpoint, address: ListenAddress, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.endpoint = endpoint
        self.address = address
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let endpoint = self.endpoint
        let responder = CallbackResponder<EndpointRequestContext> { request, context in
            var body: [UInt8]?
            if EndpointRequest.takesBody(method: request.method.rawValue, path: request.uri.path) {
                do {
                    body = Array(try await request.body.collect(upTo: SilenceAPI.maximumBodyBytes).readableBytesView)
                } catch {
                    // Over the bound (or cut off): the route answers that it is too long.
                    body = [UInt8](repeating: 0, count: SilenceAPI.maximumBodyBytes + 1)
                }
            }
            let answer = await endpoint.respond(
                to: EndpointRequest(
                    method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                    authorization: request.headers[.authorization], body: body, client: context.client))
            var headers = HTTPFields()
            headers[.contentType] = answer.contentType
            headers[.cacheControl] = "no-store"
            return Response(
                status: .init(code: answer.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        var serverLogger = logger
        // Hummingbird logs every request at debug and its start at info; keep them out
        // of the watchdog's info log.
        serverLogger.logLevel = max(logger.logLevel, .notice)
        let (address, logger, onListening) = (self.address, self.logger, self.onListening)
        let roster = ConnectionRoster(keepAtMost: Self.keptConnections, hardLimit: Self.maximumConnections)
        let application = Application(
            responder: responder,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ConnectionActivity(roster: roster)], idleTimeout: Self.idleTimeout)),
            configuration: .init(
                address: .hostname(address.host, port: address.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                logger.notice("http endpoint listening", metadata: ["address": "\(address.host):\(port)"])
                await onListening(port)
            },
            logger: serverLogger)
        do {
            try await application.run()
        } catch {
            guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
            logger.error(
                "http endpoint could not run; ticks and alerts go on without it",
                metadata: ["address": "\(address)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }
}

/// Hummingbird's basic context and the peer's address (for the Ack links' limit).
struct EndpointRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let client: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        client = source.channel.remoteAddress?.ipAddress
    }
}
