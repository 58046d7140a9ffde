import AsyncHTTPClient
import FoundationEssentials
import FoundationGaps
import NIOCore

/// Follows Docker's `/events` stream of container events (SPEC §10.2): one request kept
/// open, read line by line within a bound, each event handed on as it arrives.
///
/// Only the answer's head is bounded in time: the stream is meant to stay open, idle
/// for as long as nothing happens. It ends when the daemon closes it (a restart), the
/// socket goes, a line is over the bound, or the task is cancelled; reconnecting, with
/// `since` from an `EventCursor`, is the caller's.
public struct DockerEventsFollower: Sendable {
    public let client: DockerClient
    public let maximumLineBytes: Int

    public init(client: DockerClient, maximumLineBytes: Int = JSONLinesReader.defaultLimit) {
        self.client = client
        self.maximumLineBytes = maximumLineBytes
    }

    /// The events path: container events only, from `since` when given.
    public static func path(version: String, since: String?) -> String {
        let filters = PercentEncoding.encode(#"{"type":["container"]}"#)
        return "/v\(version)/events?filters=\(filters)" + (since.map { "&since=\($0)" } ?? "")
    }

    /// Reads the stream until it ends; `opened` is called once the daemon accepted it,
    /// `handle` gets every container event in order. Throws why it ended when that was
    /// not the daemon closing it.
    public func follow(
        version: String, since: String?, opened: () async -> Void = {}, handle: (DockerEvent) async -> Void
    ) async throws {
        var request = HTTPClientRequest(url: try client.url(Self.path(version: version, since: since)))
        request.method = .GET
        request.headers.add(name: "Host", value: "docker")
        let response: HTTPClientResponse
        do {
            response = try await client.client.execute(request, timeout: .init(client.timeout))
        } catch {
            throw DockerClient.Unreachable(
                description: "cannot follow Docker's events at \(client.socketPath): \(error)")
        }
        guard response.status == .ok else {
            let body = try? await response.body.collect(upTo: 4_096)
            let message = body.map { String(buffer: $0) } ?? ""
            throw CollectorError("docker: events answered \(response.status.code): \(message.prefix(200))")
        }
        await opened()
        var reader = JSONLinesReader(maximumLineBytes: maximumLineBytes)
        for try await chunk in response.body {
            for line in try reader.feed(chunk.readableBytesView) {
                if let event = DockerEvent.parse(line) { await handle(event) }
            }
        }
    }
}
