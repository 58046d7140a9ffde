import AsyncHTTPClient
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import OutboundHTTP

/// One fetch of the orchestrator's metrics: the envelope, or why there is none. A
/// failed fetch is a reading (it counts towards `orchestrator_down`), not an error.
public enum OrchestratorReading: Sendable, Encodable, Equatable {
    case envelope(OrchestratorEnvelope)
    /// A Prometheus text (or OpenMetrics) body: rules are evaluated on it. `linesLeftOut`:
    /// sample lines of the rules' metrics past the bytes kept.
    case metrics([PrometheusSample], linesLeftOut: Int = 0)
    case failed(String)

    enum CodingKeys: String, CodingKey { case envelope, samples, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .envelope(let envelope): try container.encode(envelope, forKey: .envelope)
        case .metrics(let samples, _): try container.encode(samples.count, forKey: .samples)
        case .failed(let error): try container.encode(error, forKey: .error)
        }
    }
}

/// Fetches `WATCHDOG_ORCH_METRICS_URL` (SPEC §9), reading the body as it arrives and
/// keeping at most 4 MiB of it (`OrchestratorBodyFilter`): the agents past the first 500
/// and the series no rule reads are dropped on the way, so an orchestrator listing
/// 100,000 agents is watched, never taken for down (SPEC §12).
public struct OrchestratorCollector: Sendable {
    public let url: String
    public let timeout: Duration
    /// The metric names the rules read from a Prometheus text: only their series are kept.
    /// nil keeps every series.
    public let metricNames: Set<String>?
    /// What is kept of one answer. An envelope over it after its agents are cut is a
    /// failed fetch; a text keeps its first lines up to it.
    public static let bodyLimit = 4 * 1024 * 1024

    public init(url: String, timeout: Duration, metricNames: Set<String>? = nil) {
        self.url = url
        self.timeout = timeout
        self.metricNames = metricNames
    }

    public func collect() async throws -> OrchestratorReading {
        var request = HTTPExchange.Request(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        let reader = Reader(metricNames: metricNames)
        switch await HTTPExchange.stream(request, timeout: timeout, reader: reader) {
        case .success:
            return reader.reading()
        case .failure(.stoppedByReader):
            return .failed("the body is larger than \(Self.bodyLimit) bytes")
        case .failure(let failure):
            return .failed(failure.description)
        }
    }

    /// Feeds the filter on the event loop; the status and content type come with the head.
    final class Reader: BodyReader {
        private struct State {
            var status = 0
            var contentType = ""
            var filter: OrchestratorBodyFilter?
        }

        private let state = NIOLockedValueBox(State())
        let metricNames: Set<String>?

        init(metricNames: Set<String>?) {
            self.metricNames = metricNames
        }

        func head(_ head: HTTPResponseHead) {
            let contentType = head.headers.first(name: "Content-Type")?.lowercased() ?? ""
            state.withLockedValue {
                $0.status = Int(head.status.code)
                $0.contentType = contentType
                $0.filter = OrchestratorBodyFilter(
                    contentType: contentType, limit: OrchestratorCollector.bodyLimit, metricNames: metricNames)
            }
        }

        func read(_ part: ByteBuffer) -> Bool {
            state.withLockedValue { state in
                // An error page is not read: its status is the answer.
                guard (200..<300).contains(state.status) else { return false }
                do {
                    try part.withUnsafeReadableBytes { bytes in try state.filter?.feed(bytes) }
                    return true
                } catch {
                    return false
                }
            }
        }

        func reading() -> OrchestratorReading {
            state.withLockedValue { state in
                state.filter?.finish()
                return OrchestratorCollector.interpret(
                    status: state.status, contentType: state.contentType, body: state.filter?.kept ?? [],
                    agentsListed: state.filter?.agentsListed, linesLeftOut: state.filter?.linesLeftOut ?? 0)
            }
        }
    }

    /// Pure: what a response means: a JSON envelope (`application/json`, or a body that
    /// starts with `{`), Prometheus text (`text/plain`, OpenMetrics), or a failed fetch.
    /// `agentsListed` and `linesLeftOut` are what the filter dropped on the way.
    public static func interpret(
        status: Int, contentType: String, body: [UInt8], agentsListed: Int? = nil, linesLeftOut: Int = 0
    ) -> OrchestratorReading {
        guard (200..<300).contains(status) else { return .failed("status \(status)") }
        if contentType.hasPrefix("text/plain") || contentType.hasPrefix("application/openmetrics-text") {
            do {
                return .metrics(
                    try PrometheusText.parse(String(decoding: body, as: UTF8.self)), linesLeftOut: linesLeftOut)
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
            return .envelope(try OrchestratorEnvelope.parse(body, agentsListed: agentsListed))
        } catch {
            return .failed("\(error)".replacing("orchestrator: ", with: ""))
        }
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
