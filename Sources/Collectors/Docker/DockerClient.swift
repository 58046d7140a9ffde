import AsyncHTTPClient
import FoundationEssentials
import FoundationGaps
import NIOCore
import OutboundHTTP

/// GET requests to the Docker Engine API over its unix socket. Only GET: the watchdog
/// never changes a container (SPEC §12).
public struct DockerClient: Sendable {
    public let socketPath: String
    let client: HTTPClient
    let timeout: Duration
    /// An answer read whole (inspect documents are a few KiB, logs are cut to their last
    /// lines); beyond it the read fails, and the daemon is not taken for unreachable. The
    /// list, which grows with the host, is streamed instead (`stream`).
    public static let bodyLimit = 8 * 1024 * 1024

    public init(socketPath: String, timeout: Duration, client: HTTPClient = OutboundHTTP.client) {
        self.socketPath = socketPath
        self.timeout = timeout
        self.client = client
    }

    public struct Response: Sendable {
        public let status: Int
        public let apiVersion: String?
        public let body: [UInt8]
    }

    /// Why the daemon could not be asked: the socket is missing, refused, or timed out.
    public struct Unreachable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The URL of `path` on the daemon's socket. A missing socket fails at once instead
    /// of after the connect timeout.
    func url(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: socketPath) else {
            throw Unreachable(description: "no Docker socket at \(socketPath)")
        }
        return "http+unix://\(PercentEncoding.socketHost(socketPath))\(path)"
    }

    /// A GET whose body is handed to `consume` chunk by chunk as it arrives, never held
    /// whole: for answers that grow with the host (the container list of a daemon with
    /// thousands of containers). Only the head is bounded by the timeout; the caller's
    /// collect timeout bounds the rest. An answer other than 200 is returned with at
    /// most 64 KiB of its body, for its error message, and nothing is consumed.
    public func stream(_ path: String, consume: (ByteBuffer) throws -> Void) async throws -> Response {
        var request = HTTPClientRequest(url: try url(path))
        request.method = .GET
        request.headers.add(name: "Host", value: "docker")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .init(timeout))
        } catch {
            throw unreachable(HTTPExchange.classify(error))
        }
        let apiVersion = response.headers.first(name: "Api-Version")
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 64 * 1024)).map { Array($0.readableBytesView) } ?? []
            return Response(status: Int(response.status.code), apiVersion: apiVersion, body: body)
        }
        do {
            for try await chunk in response.body { try consume(chunk) }
        } catch let error as CollectorError {
            throw error
        } catch {
            guard !(error is CancellationError), !Task.isCancelled else { throw CancellationError() }
            throw unreachable(HTTPExchange.classify(error))
        }
        return Response(status: 200, apiVersion: apiVersion, body: [])
    }

    public func get(_ path: String) async throws -> Response {
        var request = HTTPExchange.Request(url: try url(path))
        request.method = .GET
        request.headers.add(name: "Host", value: "docker")
        switch await HTTPExchange.perform(request, client: client, timeout: timeout, bodyLimit: Self.bodyLimit) {
        case .success(let response):
            return Response(
                status: response.status, apiVersion: response.headers.first(name: "Api-Version"), body: response.body)
        case .failure(.tooLarge(let limit)):
            // A daemon that answers is reachable, however large the answer (SPEC §12).
            throw CollectorError("docker: the answer to \(path.prefix { $0 != "?" }) is larger than \(limit) bytes")
        case .failure(let failure):
            throw unreachable(failure)
        }
    }

    private func unreachable(_ failure: HTTPExchange.Failure) -> Unreachable {
        switch failure {
        case .noSuchSocket: Unreachable(description: "no Docker socket at \(socketPath)")
        case .refused: Unreachable(description: "Docker socket \(socketPath) refused the connection")
        case .timedOut: Unreachable(description: "Docker did not answer within the timeout")
        default: Unreachable(description: "cannot reach Docker at \(socketPath): \(failure)")
        }
    }
}
