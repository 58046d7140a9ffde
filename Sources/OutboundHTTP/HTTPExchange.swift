import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request and its whole answer, bounded in time and size.
///
/// `timeout` is a deadline for the whole exchange, body included: AsyncHTTPClient's own
/// deadline ends when the response head arrives, so a peer trickling its body one byte
/// at a time could hold a request (and a channel's outbox) for as long as it liked.
public enum HTTPExchange {
    public struct Response: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]
    }

    /// Why there is no response, in words for people: never the URL (it may carry a
    /// token or credentials).
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case timedOut
        case refused
        case nameNotFound
        case noSuchSocket
        case closedByPeer
        case tooLarge(limit: Int)
        case tls(String)
        case other(String)

        public var description: String {
            switch self {
            case .timedOut: "timed out"
            case .refused: "connection refused"
            case .nameNotFound: "host name not found"
            case .noSuchSocket: "no such socket"
            case .closedByPeer: "connection closed by the server"
            case .tooLarge(let limit): "the answer is larger than \(limit) bytes"
            case .tls(let text): "TLS error: \(text)"
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

    /// Sends `request` and collects the answer, all within `timeout`.
    public static func perform(
        _ request: HTTPClientRequest, client: HTTPClient = OutboundHTTP.client, timeout: Duration, bodyLimit: Int,
        excess: Excess = .fail
    ) async -> Result<Response, Failure> {
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let deadline = NIODeadline.now() + .nanoseconds(max(0, nanoseconds))
        return await withTaskGroup(of: Result<Response, Failure>?.self) { group in
            group.addTask {
                do {
                    let response = try await client.execute(request, deadline: deadline)
                    var body: [UInt8] = []
                    switch excess {
                    case .fail:
                        body = Array(try await response.body.collect(upTo: bodyLimit).readableBytesView)
                    case .cut:
                        for try await chunk in response.body {
                            body += chunk.readableBytesView.prefix(bodyLimit - body.count)
                            if body.count >= bodyLimit { break }
                        }
                    }
                    return .success(Response(status: Int(response.status.code), headers: response.headers, body: body))
                } catch is NIOTooManyBytesError {
                    return .failure(.tooLarge(limit: bodyLimit))
                } catch {
                    return .failure(classify(error))
                }
            }
            group.addTask {
                // The deadline for the whole exchange; nil when cancelled because the
                // exchange finished first.
                do {
                    try await Task.sleep(for: timeout)
                    return .failure(.timedOut)
                } catch {
                    return nil
                }
            }
            var result: Result<Response, Failure> = .failure(.timedOut)
            if let first = await group.next(), let first { result = first }
            group.cancelAll()
            return result
        }
    }

    /// Short words for an error of the HTTP stack.
    public static func classify(_ error: any Error) -> Failure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .cancelled: return .timedOut
            case .remoteConnectionClosed: return .closedByPeer
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError { return .tls(String("\(error)".prefix(160))) }
        if error is CancellationError { return .timedOut }
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") { return .refused }
        if text.contains("No such file") || text.contains("ENOENT") { return .noSuchSocket }
        if text.contains("UnknownHost") || text.contains("resolve") || text.contains("NXDOMAIN")
            || text.contains("name resolution") || text.contains("Name or service not known")
        {
            return .nameNotFound
        }
        if text.contains("imeout") || text.contains("eadline") { return .timedOut }
        if text.contains("certificate") || text.contains("SSL") { return .tls(String(text.prefix(160))) }
        return .other(String(text.prefix(200)))
    }
}
