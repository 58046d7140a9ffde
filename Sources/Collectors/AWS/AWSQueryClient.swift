import AsyncHTTPClient
import FoundationEssentials
import FoundationGaps
import NIOCore
import NIOHTTP1
import OutboundHTTP

/// An error document from an AWS Query API: EC2's `Response/Errors/Error` or the
/// `ErrorResponse/Error` of the other Query services. Code and message are kept verbatim
/// (cut to a sane length): they are what the operator searches for.
public struct AWSAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let status: Int

    public init(code: String, message: String, status: Int) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String { message.isEmpty ? code : "\(code): \(message)" }

    /// Codes the AWS SDKs treat as throttling or as a transient fault: retried.
    static let retriedCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException",
        "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable",
    ]

    /// Codes that say the credentials themselves are no longer good.
    static let rejectedCredentialCodes: Set<String> = [
        "AuthFailure", "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
    ]

    public var rejectsCredentials: Bool { Self.rejectedCredentialCodes.contains(code) }

    /// Throttled, or a fault on AWS's side that the next attempt may not meet.
    public var isRetried: Bool {
        Self.retriedCodes.contains(code) || status == 429 || status >= 500
    }

    /// Reads the error document of a failed call; nil when the body is not one (an HTML
    /// page from a proxy, say).
    public static func parse(_ body: [UInt8], status: Int) -> AWSAPIError? {
        guard let root = try? XMLTree.parse(body), let error = root.first(named: "Error"),
            let code = error.value("Code"), !code.isEmpty
        else { return nil }
        return AWSAPIError(
            code: String(code.prefix(200)), message: String((error.value("Message") ?? "").prefix(1000)),
            status: status)
    }
}

/// Calls one AWS service through its Query API: a form-encoded POST signed with SigV4,
/// answered with XML. Throttling and server faults are retried with capped exponential
/// backoff and full jitter until the caller's deadline; other errors are thrown at once.
///
/// Moto and AWS alike route a request by the credential scope of its signature, so every
/// request is signed, also against a local endpoint.
public struct AWSQueryClient: Sendable {
    public let service: String
    public let apiVersion: String
    public let region: String
    /// `https://ec2.eu-west-1.amazonaws.com`, or an override (`AWS_ENDPOINT_URL_EC2`).
    public let endpoint: String
    let credentials: AWSCredentialChain
    /// Limit for one HTTP request (the deadline may cut it shorter).
    let requestTimeout: Duration
    var backoff = Backoff()

    /// A page of EC2's DescribeInstances can be large; more than this is refused.
    public static let bodyLimit = 8 * 1024 * 1024

    public struct Backoff: Sendable {
        public var first: Duration = .milliseconds(100)
        public var cap: Duration = .seconds(5)
        public var attempts = 6

        /// The longest wait before attempt `retry` + 1 (retry counts from 0).
        func ceiling(retry: Int) -> Duration {
            min(cap, first * (1 << min(retry, 20)))
        }
    }

    public init(
        service: String, apiVersion: String, region: String, endpoint: String, credentials: AWSCredentialChain,
        requestTimeout: Duration
    ) {
        self.service = service
        self.apiVersion = apiVersion
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.requestTimeout = requestTimeout
    }

    /// The endpoint the SDKs would use: `AWS_ENDPOINT_URL_<SERVICE>`, then
    /// `AWS_ENDPOINT_URL`, then the regional public one.
    public static func endpoint(
        service: String, serviceVariable: String, region: String, environment: [String: String]
    ) -> String {
        for name in ["AWS_ENDPOINT_URL_" + serviceVariable, "AWS_ENDPOINT_URL"] {
            if let value = environment[name]?.trimmingWhitespace(), !value.isEmpty {
                return value
            }
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return "https://\(service).\(region).\(suffix)"
    }

    /// Calls `action` and returns the root of its answer. Throws `AWSAPIError` for an
    /// error that is not retried, `CollectorError` for everything else (retries used up,
    /// no credentials, a malformed answer).
    public func call(
        _ action: String, _ parameters: [(String, String)], time: AWSCallTime
    ) async throws -> XMLTree.Element {
        let body = Self.formBody([("Action", action), ("Version", apiVersion)] + parameters)
        var retry = 0
        // AWS's own words win in the final error: a later timeout says less than the
        // throttling that caused the retries.
        var lastAPIError: AWSAPIError?
        var lastFailure = ""
        while true {
            do {
                return try await send(body, action: action, time: time)
            } catch let error as AWSAPIError where error.isRetried {
                lastAPIError = error
                lastFailure = error.description
            } catch let error as TransientFailure {
                lastFailure = error.description
            }
            let wait = Duration.milliseconds(
                Int64.random(in: 0...max(0, backoff.ceiling(retry: retry).wholeMilliseconds)))
            retry += 1
            guard retry < backoff.attempts, ContinuousClock.now + wait + .milliseconds(50) < time.deadline else {
                let reason = lastAPIError?.description ?? lastFailure
                throw CollectorError("\(service) \(action) failed after \(retry) attempts: \(reason)")
            }
            try await Task.sleep(for: wait)
        }
    }

    /// A failure worth another attempt that is not an AWS error document (a refused or
    /// timed-out connection, a 5xx page without XML).
    struct TransientFailure: Error, CustomStringConvertible {
        let description: String
    }

    private func send(_ body: [UInt8], action: String, time: AWSCallTime) async throws -> XMLTree.Element {
        let left = time.deadline - ContinuousClock.now
        guard left > .zero else { throw TransientFailure(description: "no time left for another attempt") }
        guard let url = URL(string: endpoint), let host = url.host, !host.isEmpty else {
            throw CollectorError("\(service): the endpoint \(endpoint.prefix(200)) is not a URL")
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        let path = url.path.isEmpty ? "/" : url.path
        let contentType = "application/x-www-form-urlencoded; charset=utf-8"
        let credentials = try await credentials.credentials(now: time.signedAt)
        let signer = SigV4(region: region, service: service)
        let signature = signer.sign(
            SigV4Request(
                method: "POST", path: path, headers: [("Host", hostHeader), ("Content-Type", contentType)], body: body),
            credentials: credentials, at: time.signedAt)

        var request = HTTPExchange.Request(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Host", value: hostHeader)
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in signature.headers { request.headers.add(name: name, value: value) }
        request.body = body

        let status: Int
        let answer: [UInt8]
        switch await HTTPExchange.perform(request, timeout: min(requestTimeout, left), bodyLimit: Self.bodyLimit) {
        case .success(let response):
            status = response.status
            answer = response.body
        case .failure(.tooLarge(let limit)):
            throw CollectorError("\(service) \(action): the answer is larger than \(limit) bytes")
        case .failure(let failure):
            throw TransientFailure(description: "\(service) could not be reached: \(failure)")
        }
        guard (200..<300).contains(status) else {
            if let apiError = AWSAPIError.parse(answer, status: status) {
                if apiError.rejectsCredentials { await self.credentials.invalidate() }
                throw apiError
            }
            if status == 429 || status >= 500 { throw TransientFailure(description: "status \(status)") }
            throw CollectorError("\(service) \(action) answered status \(status) without an AWS error document")
        }
        do {
            return try XMLTree.parse(answer)
        } catch {
            throw CollectorError("\(service) \(action): \(error)")
        }
    }

    /// `application/x-www-form-urlencoded` with AWS's encoding (RFC 3986 unreserved
    /// characters kept, everything else percent-encoded).
    static func formBody(_ parameters: [(String, String)]) -> [UInt8] {
        Array(
            parameters.map { "\(SigV4.uriEncode($0.0))=\(SigV4.uriEncode($0.1))" }.joined(separator: "&").utf8)
    }
}

/// RFC 3339 times as AWS writes them, with or without a fraction of any length
/// (`2026-11-23T18:01:01.098205Z`).
public enum AWSTime {
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.utf8.count <= 64 else { return nil }
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        // Drop the fraction, parse the rest, and add the fraction back.
        guard let dot = trimmed.firstIndex(of: ".") else { return nil }
        let digits = trimmed[trimmed.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        let zone = trimmed[trimmed.index(dot, offsetBy: digits.count + 1)...]
        guard let whole = try? Date(String(trimmed[..<dot]) + zone, strategy: .iso8601),
            let fraction = Double("0." + digits.prefix(9))
        else { return nil }
        return whole.addingTimeInterval(fraction)
    }

    /// `2026-11-23T18:01:01Z`, the form the Query APIs take.
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// When a collector's AWS calls happen: the tick's wall time, which signs every request
/// and judges the credentials' expiry (AWS accepts five minutes of skew, far more than a
/// tick lasts), and the deadline of the whole collection, retries included, which is
/// real elapsed time on the monotonic clock.
public struct AWSCallTime: Sendable {
    public let signedAt: Date
    public let deadline: ContinuousClock.Instant

    /// Signed at the tick's `now`, with a budget that starts as the collection does.
    public init(now: Date, budget: Duration) {
        self.signedAt = now
        self.deadline = ContinuousClock.now + budget
    }
}
