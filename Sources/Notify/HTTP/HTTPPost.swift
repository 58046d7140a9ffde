import AsyncHTTPClient
import FoundationEssentials
import FoundationGaps
import NIOCore
import NIOHTTP1
import OutboundHTTP

/// What came back from one POST: a response, or why there was none.
public enum HTTPPostResult: Sendable {
    case response(status: Int, headers: HTTPHeaders, body: [UInt8])
    /// No response: refused, timed out, TLS failure, body too large. Always retryable.
    case failed(String)
}

/// The one way channels POST: bounded in time and in response size, and with every
/// secret scrubbed from the error text before anyone can log it.
public struct HTTPPost: Sendable {
    public let client: HTTPClient
    public let timeout: Duration
    /// Responses larger than this are an error, not a memory spike.
    public static let responseLimit = 1024 * 1024

    public init(client: HTTPClient = OutboundHTTP.client, timeout: Duration) {
        self.client = client
        self.timeout = timeout
    }

    /// The methods the channels send with: a post, an edit of a message (Discord), a
    /// send by transaction id (Matrix), a lookup (a Matrix room alias).
    public enum Method: Sendable, Equatable {
        case post, patch, put, get
    }

    public func send(
        url: String, method: Method = .post, body: [UInt8], contentType: String = "application/json",
        headers: [(String, String)] = [], secrets: [String]
    ) async -> HTTPPostResult {
        var request = HTTPExchange.Request(url: url)
        switch method {
        case .post: request.method = .POST
        case .patch: request.method = .PATCH
        case .put: request.method = .PUT
        case .get: request.method = .GET
        }
        if method != .get { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "User-Agent", value: "watchdog")
        if method != .get { request.body = body }
        switch await HTTPExchange.perform(request, client: client, timeout: timeout, bodyLimit: Self.responseLimit) {
        case .success(let response):
            return .response(status: response.status, headers: response.headers, body: response.body)
        case .failure(let failure):
            return .failed(Self.redact(failure.description, secrets: secrets))
        }
    }

    /// Replaces every occurrence of each secret by `<redacted>`.
    public static func redact(_ text: String, secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacing($1, with: "<redacted>") }
    }

    /// `Retry-After` in seconds, as the answer itself dates it: an HTTP date is measured
    /// from the answer's `Date` header, so neither a clock read nor a skew between the
    /// two clocks enters the wait. A date without a `Date` header is no usable wait (nil:
    /// the outbox's own backoff applies).
    public static func retryAfter(_ headers: HTTPHeaders) -> Double? {
        let sent = headers.first(name: "Date").flatMap { HTTPDate.parse($0.trimmingWhitespace()) }
        return retryAfter(headers, now: sent)
    }

    /// `Retry-After` in seconds (Slack, webhooks): delta-seconds, or an HTTP date measured
    /// from `now` (nil: a date is no usable wait).
    public static func retryAfter(_ headers: HTTPHeaders, now: Date?) -> Double? {
        guard let value = headers.first(name: "Retry-After")?.trimmingWhitespace() else {
            return nil
        }
        if let seconds = Double(value), seconds >= 0 { return seconds }
        guard let now, let date = HTTPDate.parse(value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

extension HTTPPostResult {
    /// The usual reading of a plain HTTP API's answer (Slack, webhooks, Gotify,
    /// PagerDuty, ...): 2xx delivered; 429 waits `Retry-After`; 5xx and no answer retry;
    /// other 4xx are permanent, with the API's own words: the body, or what `words`
    /// reads from it (an error object's message; nil: none).
    public func plainOutcome(secrets: [String], words: (([UInt8]) -> String?)? = nil) -> SendOutcome {
        switch self {
        case .failed(let reason):
            return .retryable(reason: reason, retryAfter: nil)
        case .response(let status, let headers, let body):
            if (200..<300).contains(status) { return .delivered }
            let text = words.map { $0(body) ?? "" } ?? String(decoding: body, as: UTF8.self)
            let said = ChannelText.cut(ChannelText.oneLine(text), to: 300)
            let reason = HTTPPost.redact("HTTP \(status)" + (said.isEmpty ? "" : ": \(said)"), secrets: secrets)
            if status == 429 { return .retryable(reason: reason, retryAfter: HTTPPost.retryAfter(headers)) }
            if status >= 500 || status == 408 { return .retryable(reason: reason, retryAfter: nil) }
            return .permanent(reason: reason)
        }
    }
}
