import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import OutboundHTTP

/// One probe's outcome.
public struct ProbeResult: Sendable, Encodable, Equatable {
    public let name: String
    public let url: String
    public let ok: Bool
    /// What went wrong, in a few words: `connection refused by db:5432`, `timed out`, `TLS: …`,
    /// `status 503`. Never the URL's credentials or query.
    public let error: String?
    public let status: Int?
    public let latencyMs: Double
    /// When the https peer's certificate expires, if it could be read.
    public let certificateExpiresAt: Date?
}

/// Probes every dependency concurrently, each bounded by the HTTP timeout, so a tick
/// with hanging dependencies takes about one timeout, not their sum (SPEC §10.3).
public struct DependencyCollector: Sendable {
    public let targets: [DependencyTarget]
    public let timeout: Duration

    public init(targets: [DependencyTarget], timeout: Duration) {
        self.targets = targets
        self.timeout = timeout
    }

    public func collect() async throws -> [ProbeResult] {
        await withTaskGroup(of: (Int, ProbeResult).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask { (index, await probe(target)) }
            }
            var results = [ProbeResult?](repeating: nil, count: targets.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    func probe(_ target: DependencyTarget) async -> ProbeResult {
        let started = ContinuousClock.now
        let latency = { Double(started.duration(to: .now).wholeMicroseconds) / 1000 }
        switch target.probe {
        case .tcp(let host, let port):
            let error = await Self.connect(host: host, port: port, timeout: timeout)
            return ProbeResult(
                name: target.name, url: target.shownURL, ok: error == nil, error: error, status: nil,
                latencyMs: latency(), certificateExpiresAt: nil)
        case .http(let url, let expectedStatus):
            async let certificate =
                url.lowercased().hasPrefix("https://")
                ? Self.certificateExpiry(url: url, timeout: timeout) : nil
            var request = HTTPExchange.Request(url: url)
            request.method = .GET
            request.headers.add(name: "User-Agent", value: "watchdog")
            var status: Int?
            var error: String?
            // Redirects are answers here (see OutboundHTTP.clientWithoutRedirects), and so
            // is the status of a body larger than a health page.
            switch await HTTPExchange.perform(
                request, client: OutboundHTTP.clientWithoutRedirects, timeout: timeout, bodyLimit: 64 * 1024,
                excess: .cut)
            {
            case .success(let response):
                status = response.status
            case .failure(let failure):
                error = failure.description
            }
            if let status {
                let wanted = expectedStatus.map { status == $0 } ?? (200..<400).contains(status)
                if !wanted { error = "status \(status)" + (expectedStatus.map { ", expected \($0)" } ?? "") }
            }
            let measured = latency()
            return ProbeResult(
                name: target.name, url: target.shownURL, ok: error == nil, error: error, status: status,
                latencyMs: measured, certificateExpiresAt: await certificate)
        }
    }

    /// Opens a TCP connection and closes it; nil on success, else why not.
    static func connect(host: String, port: Int, timeout: Duration) async -> String? {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(timeout.wholeMilliseconds))
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            try? await channel.close()
            return nil
        } catch {
            return HTTPExchange.classify(error, target: .init(host: host, port: port)).description
        }
    }

    /// Reads the peer certificate's expiry with a TLS handshake of its own that does not
    /// verify the chain: an expiring certificate must be reported even when it is also
    /// untrusted (the probe's own request reports that as a TLS error).
    static func certificateExpiry(url: String, timeout: Duration) async -> Date? {
        guard let components = URLComponents(string: url), let host = components.host else { return nil }
        let port = components.port ?? 443
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        guard let context = try? NIOSSLContext(configuration: configuration) else { return nil }
        let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let expiry = loop.makePromise(of: Int64?.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(timeout.wholeMilliseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(CertificateReader(expiry: expiry))
                }
            }
        // A promise completes once; whichever of these comes first wins.
        let deadline = loop.scheduleTask(in: .milliseconds(timeout.wholeMilliseconds)) {
            expiry.fail(ChannelError.connectTimeout(.milliseconds(timeout.wholeMilliseconds)))
        }
        defer { deadline.cancel() }
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            defer { channel.close(promise: nil) }
            return try await expiry.futureResult.get().map { Date(timeIntervalSince1970: TimeInterval($0)) }
        } catch {
            expiry.fail(error)
            return nil
        }
    }
}

/// Reads the peer certificate's expiry once the TLS handshake is done, on the channel's
/// event loop, and hands it out through a promise.
private final class CertificateReader: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny
    let expiry: EventLoopPromise<Int64?>

    init(expiry: EventLoopPromise<Int64?>) {
        self.expiry = expiry
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            expiry.succeed(tls?.peerCertificate.map { Int64($0.notValidAfter) })
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        expiry.fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        expiry.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
