import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request and its whole answer, bounded in time and size.
///
/// `timeout` is a deadline for the whole exchange, body included. The async API's
/// deadline ends when the response head arrives, so a peer trickling its body one byte
/// at a time could hold a request (and a channel's outbox) for as long as it liked; the
/// delegate API used here keeps the deadline until the last byte, on the event loop.
public enum HTTPExchange {
    public struct Response: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]
    }

    /// Why there is no response, in words for people: the host and port it concerns,
    /// never the URL (its path or user part may carry a token or credentials), never a
    /// Swift type name.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case timedOut
        /// The `host:port` that refused, when known.
        case refused(String?)
        /// The host that could not be resolved, when known.
        case nameNotFound(String?)
        case noSuchSocket
        case closedByPeer
        case tooLarge(limit: Int)
        /// A `BodyReader` stopped reading; it knows why.
        case stoppedByReader
        case tls(String)
        case other(String)

        public var description: String {
            switch self {
            case .timedOut: "timed out"
            case .refused(let target): target.map { "connection refused by \($0)" } ?? "connection refused"
            case .nameNotFound(let host): host.map { "cannot resolve host \($0)" } ?? "cannot resolve the host name"
            case .noSuchSocket: "no such socket"
            case .closedByPeer: "connection closed by the server"
            case .tooLarge(let limit): "the answer is larger than \(limit) bytes"
            case .stoppedByReader: "the answer was not read to its end"
            case .tls(let text): "TLS: \(text)"
            case .other(let text): text
            }
        }
    }

    /// What to do with a body longer than the limit.
    public enum Excess: Sendable {
        /// The exchange fails with `tooLarge`: the body is the answer.
        case fail
        /// The body is cut at the limit and the rest not read: the status is the answer.
        case cut
    }

    /// What to send: built by the caller, sent by `perform`.
    public struct Request: Sendable {
        public var url: String
        public var method: HTTPMethod
        public var headers: HTTPHeaders
        public var body: [UInt8]?

        public init(url: String, method: HTTPMethod = .GET, headers: HTTPHeaders = [:], body: [UInt8]? = nil) {
            self.url = url
            self.method = method
            self.headers = headers
            self.body = body
        }
    }

    /// Sends `request` and collects the answer, all within `timeout`.
    ///
    /// The whole exchange, its deadline included, runs on the HTTP client's event loop
    /// (a response delegate collects the body there): a timer on Swift's cooperative pool
    /// would race the answer's own hops through the pool, and while the pool is busy
    /// (two cores, every source at once) an answer that came in time lost that race and
    /// read as "timed out".
    public static func perform(
        _ request: Request, client: HTTPClient = OutboundHTTP.client, timeout: Duration, bodyLimit: Int,
        excess: Excess = .fail
    ) async -> Result<Response, Failure> {
        let collector = BoundedBody(limit: max(0, bodyLimit), excess: excess)
        do {
            return .success(try await execute(request, client: client, timeout: timeout, delegate: collector))
        } catch let failure as Failure {
            return .failure(failure)
        } catch is BoundedBody.TooLarge {
            return .failure(.tooLarge(limit: bodyLimit))
        } catch is BoundedBody.CutAtLimit {
            // The delegate set its head and body before it failed the task on its event
            // loop; the future's completion there orders this read after them.
            guard let response = collector.cutResponse() else { return .failure(.closedByPeer) }
            return .success(response)
        } catch {
            return .failure(classify(error, target: FailureWords.target(ofURL: request.url)))
        }
    }

    /// The whole of a streamed answer that is not the reader's: it has had the head and
    /// every part of the body.
    public struct StreamedResponse: Sendable {}

    /// Sends `request` and hands its answer to `reader` as it arrives, all within
    /// `timeout`, on the HTTP client's event loop (as `perform`, whose deadline rules it
    /// keeps): for answers that grow with the peer and are read by rules of their own
    /// instead of a byte limit.
    public static func stream(
        _ request: Request, client: HTTPClient = OutboundHTTP.client, timeout: Duration, reader: any BodyReader
    ) async -> Result<Void, Failure> {
        do {
            _ = try await execute(request, client: client, timeout: timeout, delegate: StreamedBody(reader: reader))
            return .success(())
        } catch let failure as Failure {
            return .failure(failure)
        } catch is StreamedBody.Stopped {
            return .failure(.stoppedByReader)
        } catch {
            return .failure(classify(error, target: FailureWords.target(ofURL: request.url)))
        }
    }

    /// Sends `request` with `delegate` reading the answer, the whole exchange within
    /// `timeout` (a deadline on the client's event loop); cancelling the caller cancels it.
    private static func execute<Delegate: HTTPClientResponseDelegate>(
        _ request: Request, client: HTTPClient, timeout: Duration, delegate: Delegate
    ) async throws -> Delegate.Response where Delegate.Response: Sendable {
        let outgoing: HTTPClient.Request
        do {
            outgoing = try HTTPClient.Request(
                url: request.url, method: request.method, headers: request.headers,
                body: request.body.map { .bytes($0) })
        } catch {
            throw Failure.other("not a URL that can be requested")
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let deadline = NIODeadline.now() + .nanoseconds(max(0, nanoseconds))
        let task = client.execute(request: outgoing, delegate: delegate, eventLoop: .indifferent, deadline: deadline)
        return try await withTaskCancellationHandler {
            try await task.futureResult.get()
        } onCancel: {
            task.cancel()
        }
    }

    /// Short words for an error of the HTTP stack; `target` (`host:port`) is named in
    /// a refusal, its host in a failed lookup.
    public static func classify(_ error: any Error, target: FailureWords.Target? = nil) -> Failure {
        if let known = classifyKnown(error, target: target) { return known }
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") { return .refused(target?.description) }
        if text.contains("No such file") || text.contains("ENOENT") { return .noSuchSocket }
        if text.contains("UnknownHost") || text.contains("resolve") || text.contains("NXDOMAIN")
            || text.contains("name resolution") || text.contains("Name or service not known")
        {
            return .nameNotFound(target?.host)
        }
        if text.contains("imeout") || text.contains("eadline") { return .timedOut }
        if text.contains("certificate") || text.contains("SSL") { return .tls(FailureWords.tls(text)) }
        return .other(FailureWords.plain(text))
    }

    /// Any error in words: the HTTP stack's classified, any other's own description
    /// without a leading Swift type name.
    public static func words(for error: any Error) -> String {
        if let error = error as? DecodingError { return FailureWords.decoding(error) }
        return classifyKnown(error, target: nil)?.description ?? FailureWords.plain("\(error)")
    }

    /// The errors of the HTTP stack by their types; nil for any other error.
    static func classifyKnown(_ error: any Error, target: FailureWords.Target?) -> Failure? {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .cancelled,
                .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                return .timedOut
            case .remoteConnectionClosed: return .closedByPeer
            default: break
            }
        }
        if let error = error as? NIOConnectionError {
            // Happy eyeballs: the lookups failed, or every address was tried.
            if let first = error.connectionErrors.first {
                return classify(first.error, target: target ?? .init(host: error.host, port: error.port))
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return .nameNotFound(target?.host ?? error.host) }
        }
        if error is SocketAddressError { return .nameNotFound(target?.host) }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return .refused(target?.description)
            case ENOENT: return .noSuchSocket
            case ECONNRESET, EPIPE: return .closedByPeer
            case ETIMEDOUT: return .timedOut
            default: return .other(FailureWords.systemError(error.errnoCode, target: target))
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timedOut
            case .eof, .ioOnClosedChannel, .outputClosed, .inputClosed, .alreadyClosed: return .closedByPeer
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return .tls(FailureWords.tls("\(error)"))
        }
        if error is CancellationError { return .timedOut }
        return nil
    }
}
