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
    /// Inspect documents are a few KiB; a list of hundreds of containers well under this.
    static let bodyLimit = 8 * 1024 * 1024

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

    public func get(_ path: String) async throws -> Response {
        var request = HTTPExchange.Request(url: try url(path))
        request.method = .GET
        request.headers.add(name: "Host", value: "docker")
        switch await HTTPExchange.perform(request, client: client, timeout: timeout, bodyLimit: Self.bodyLimit) {
        case .success(let response):
            return Response(
                status: response.status, apiVersion: response.headers.first(name: "Api-Version"), body: response.body)
        case .failure(.noSuchSocket):
            throw Unreachable(description: "no Docker socket at \(socketPath)")
        case .failure(.refused):
            throw Unreachable(description: "Docker socket \(socketPath) refused the connection")
        case .failure(.timedOut):
            throw Unreachable(description: "Docker did not answer within the timeout")
        case .failure(let failure):
            throw Unreachable(description: "cannot reach Docker at \(socketPath): \(failure)")
        }
    }
}
