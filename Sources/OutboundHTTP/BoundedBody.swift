import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Collects an answer on the HTTP client's event loop, at most `limit` bytes of body.
///
/// Beyond the limit the exchange fails with `TooLarge` (`.fail`), or stops reading with
/// `CutAtLimit` and keeps what it has (`.cut`): either way no more of the body is read.
final class BoundedBody: HTTPClientResponseDelegate {
    typealias Response = HTTPExchange.Response

    struct TooLarge: Error {}
    struct CutAtLimit: Error {}

    private struct Collected {
        var head: HTTPResponseHead?
        var body: [UInt8] = []
    }

    let limit: Int
    let excess: HTTPExchange.Excess
    private let collected = NIOLockedValueBox(Collected())

    init(limit: Int, excess: HTTPExchange.Excess) {
        self.limit = limit
        self.excess = excess
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        collected.withLockedValue { $0 = Collected(head: head) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let overflow = collected.withLockedValue { collected -> Error? in
            let room = limit - collected.body.count
            guard buffer.readableBytes > room else {
                collected.body += buffer.readableBytesView
                return nil
            }
            switch excess {
            case .fail:
                return TooLarge()
            case .cut:
                collected.body += buffer.readableBytesView.prefix(room)
                return CutAtLimit()
            }
        }
        if let overflow { return task.eventLoop.makeFailedFuture(overflow) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        guard let response = cutResponse() else { throw HTTPClientError.remoteConnectionClosed }
        return response
    }

    /// What was collected so far, as an answer; nil before a head arrived.
    func cutResponse() -> Response? {
        collected.withLockedValue { collected in
            collected.head.map {
                Response(status: Int($0.status.code), headers: $0.headers, body: collected.body)
            }
        }
    }
}
