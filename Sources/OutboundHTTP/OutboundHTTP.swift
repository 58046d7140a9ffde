import AsyncHTTPClient
import Glibc
import NIOConcurrencyHelpers
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
        configuration.tlsConfiguration = tlsConfiguration
        return configuration
    }

    /// The certificate authorities `WATCHDOG_CA_FILE` adds to the system's (SPEC §5.1).
    private static let addedAuthorities = NIOLockedValueBox<[NIOSSLCertificate]>([])

    /// Adds `authorities` to the system's for every outbound TLS connection (HTTPS and
    /// SMTP). Called once at start, before the first request: the shared clients read
    /// it when they are first used.
    public static func trust(_ authorities: CertificateAuthorities) {
        addedAuthorities.withLockedValue { $0 = authorities.certificates }
    }

    /// What every outbound TLS connection verifies with: the peer's chain against the
    /// system's authorities and those of `WATCHDOG_CA_FILE`, and its host name.
    public static var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        let added = addedAuthorities.withLockedValue { $0 }
        if !added.isEmpty { configuration.additionalTrustRoots = [.certificates(added)] }
        return configuration
    }
}

/// Certificate authorities read from a PEM file (`WATCHDOG_CA_FILE`).
public struct CertificateAuthorities: Sendable {
    public let certificates: [NIOSSLCertificate]

    /// Reads every certificate of a PEM file; a missing or unreadable file, or one with
    /// no certificate in it, is an error that says which.
    public init(pemFile path: String) throws(CertificateAuthoritiesError) {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw CertificateAuthoritiesError(
                reason: access(path, R_OK) == 0
                    ? "\(path) holds no PEM certificate that can be read" : "cannot read \(path)")
        }
        guard !certificates.isEmpty else {
            throw CertificateAuthoritiesError(reason: "\(path) holds no PEM certificate")
        }
        self.certificates = certificates
    }
}

public struct CertificateAuthoritiesError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
