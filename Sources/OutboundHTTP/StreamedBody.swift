import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Reads an answer's body part by part as it arrives, for `HTTPExchange.stream`: what
/// grows with the peer (a list of thousands) is kept by the reader's own rules, never
/// held whole. Called on the HTTP client's event loop, one call at a time.
public protocol BodyReader: AnyObject, Sendable {
    /// The answer's head, before any part of its body.
    func head(_ head: HTTPResponseHead)
    /// One part of the body; false stops reading (the exchange then fails with
    /// `stoppedByReader`, and the reader knows why).
    func read(_ part: ByteBuffer) -> Bool
}

/// The delegate behind `HTTPExchange.stream`: hands each part to the reader, and keeps
/// only the status and headers itself.
final class StreamedBody: HTTPClientResponseDelegate {
    typealias Response = HTTPExchange.StreamedResponse

    struct Stopped: Error {}

    let reader: any BodyReader

    init(reader: any BodyReader) {
        self.reader = reader
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        reader.head(head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard reader.read(buffer) else { return task.eventLoop.makeFailedFuture(Stopped()) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        Response()
    }
}
