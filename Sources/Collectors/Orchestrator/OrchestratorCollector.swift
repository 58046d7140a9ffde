import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import OutboundHTTP

/// One fetch of the orchestrator's metrics: the envelope, or why there is none. A
/// failed fetch is a reading (it counts towards `orchestrator_down`), not an error.
public enum OrchestratorReading: Sendable, Encodable, Equatable {
    case envelope(OrchestratorEnvelope)
    /// A Prometheus text (or OpenMetrics) body: rules are evaluated on it.
    case metrics([PrometheusSample])
    case failed(String)

    enum CodingKeys: String, CodingKey { case envelope, samples, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .envelope(let envelope): try container.encode(envelope, forKey: .envelope)
        case .metrics(let samples): try container.encode(samples.count, forKey: .samples)
        case .failed(let error): try container.encode(error, forKey: .error)
        }
    }
}

/// Fetches `WATCHDOG_ORCH_METRICS_URL` with a bounded body (SPEC §9).
public struct OrchestratorCollector: Sendable {
    public let url: String
    public let timeout: Duration
    /// SPEC §9: read up to 4 MiB; more is an error.
    public static let bodyLimit = 4 * 1024 * 1024

    public init(url: String, timeout: Duration) {
        self.url = url
        self.timeout = timeout
    }

    public func collect() async throws -> OrchestratorReading {
        var request = HTTPExchange.Request(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        switch await HTTPExchange.perform(request, timeout: timeout, bodyLimit: Self.bodyLimit) {
        case .success(let response):
            return Self.interpret(
                status: response.status, contentType: response.headers.first(name: "Content-Type")?.lowercased() ?? "",
                body: response.body)
        case .failure(.tooLarge(let limit)):
            return .failed("the body is larger than \(limit) bytes")
        case .failure(let failure):
            return .failed(failure.description)
        }
    }

    /// Pure: what a response means: a JSON envelope (`application/json`, or a body that
    /// starts with `{`), Prometheus text (`text/plain`, OpenMetrics), or a failed fetch.
    public static func interpret(status: Int, contentType: String, body: [UInt8]) -> OrchestratorReading {
        guard (200..<300).contains(status) else { return .failed("status \(status)") }
        if contentType.hasPrefix("text/plain") || contentType.hasPrefix("application/openmetrics-text") {
            do {
                return .metrics(try PrometheusText.parse(String(decoding: body, as: UTF8.self)))
            } catch {
                return .failed("\(error)")
            }
        }
        let startsLikeJSON = body.first { !$0.isASCIIWhitespace } == UInt8(ascii: "{")
        guard contentType.hasPrefix("application/json") || startsLikeJSON else {
            let kind = contentType.isEmpty ? "no content type" : "content type \(contentType.prefix(60))"
            return .failed("not a JSON envelope (\(kind))")
        }
        do {
            return .envelope(try OrchestratorEnvelope.parse(body))
        } catch {
            return .failed("\(error)".replacing("orchestrator: ", with: ""))
        }
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
