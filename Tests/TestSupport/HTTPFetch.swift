import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// What a test saw from one HTTP request.
public struct FetchedResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: String

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// One request with a 5 s limit, the body read up to 4 MiB.
public func fetch(
    _ url: String, method: String = "GET", headers: [(String, String)] = [], body: String? = nil
) async throws -> FetchedResponse {
    var request = HTTPClientRequest(url: url)
    request.method = HTTPMethod(rawValue: method)
    for (name, value) in headers {
        request.headers.add(name: name, value: value)
    }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
    return FetchedResponse(
        status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
        body: String(buffer: body))
}
