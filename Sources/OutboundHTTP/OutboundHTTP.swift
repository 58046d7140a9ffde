import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// The HTTP clients every outbound request of the watchdog goes through: probes, the
/// orchestrator, Docker's socket, AWS, the channels, heartbeat pings.
///
/// Connection establishment is not retried: AsyncHTTPClient's default keeps retrying a
/// refused connection or a failed name lookup with backoff until the request's
/// deadline, so a dead peer looked like a slow one and cost the whole
/// `WATCHDOG_HTTP_TIMEOUT` (SPEC §2.1: it must fail at once).
public enum OutboundHTTP {
    /// Follows up to five redirects (the orchestrator, webhooks, AWS).
    public static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration(redirects: true))

    /// Redirects are answers, not followed: a dependency's 3xx is its status, and
    /// following one could leave the host the operator named.
    public static let clientWithoutRedirects = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration(redirects: false))

    static func configuration(redirects: Bool) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            certificateVerification: .fullVerification,
            redirectConfiguration: redirects ? .follow(max: 5, allowCycles: false) : .disallow,
            connectionPool: .seconds(60),
            decompression: .disabled, backgroundActivityLogger: nil)
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
