import Foundation
import Synchronization

/// A local HTTPS server that behaves like a Teams Workflows trigger (Logic Apps' "When a
/// Teams webhook request is received"), from Microsoft's documentation (not from the
/// watchdog's code): `POST /workflows/{id}/triggers/manual/paths/invoke` with
/// `api-version`, `sp`, `sv` and `sig`; a wrong `sig` is 401
/// `DirectApiInvalidAuthorizationSignature`, an unknown workflow 404 `WorkflowNotFound`,
/// a body that is not a message with an Adaptive Card 400 (the flow's "Post card" step
/// fails), a card over 28 KB 413; accepted is 202 with an empty body. Errors are Logic
/// Apps' `{"error": {"code", "message"}}`. Scripted faults: 429 with `Retry-After`, a 5xx.
/// Its certificate is a test CA's (`authority`).
public final class TeamsWorkflowsStandIn: Sendable {
    public enum Fault: Sendable {
        case rateLimited(retryAfter: Int)
        case serverError(Int)
    }

    struct State {
        var faults: [Fault] = []
        var cards: [String] = []
    }

    public let workflowID: String
    public let signature: String
    public let server: StubHTTPServer
    public let authority: TestCertificateAuthority
    let directory: TemporaryDirectory
    private let state = Mutex(State())

    /// Every Adaptive Card accepted (`attachments[0].content`), as JSON.
    public var cards: [[String: Any]] {
        state.withLock { $0.cards }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    private init(
        workflowID: String, signature: String, server: StubHTTPServer, authority: TestCertificateAuthority,
        directory: TemporaryDirectory
    ) {
        self.workflowID = workflowID
        self.signature = signature
        self.server = server
        self.authority = authority
        self.directory = directory
    }

    public static func start(workflowID: String, signature: String) async throws -> TeamsWorkflowsStandIn {
        let directory = try TemporaryDirectory()
        let authority = try TestCertificateAuthority.make(in: directory)
        let box = Mutex<TeamsWorkflowsStandIn?>(nil)
        let server = try await StubHTTPServer.start(
            certificate: authority.serverCertificate, privateKey: authority.serverKey
        ) { request in box.withLock { $0 }!.respond(to: request) }
        let standIn = TeamsWorkflowsStandIn(
            workflowID: workflowID, signature: signature, server: server, authority: authority, directory: directory)
        box.withLock { $0 = standIn }
        return standIn
    }

    public func inject(_ faults: [Fault]) { state.withLock { $0.faults += faults } }
    public func stop() async { await server.stop() }

    static func error(_ status: Int, _ code: String, _ message: String) -> StubResponse {
        .json(status, #"{"error":{"code":"\#(code)","message":"\#(message)"}}"#)
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        let parts = request.uri.split(separator: "?", maxSplits: 1)
        let path = parts.first.map(String.init) ?? ""
        var query: [String: String] = [:]
        for pair in (parts.count > 1 ? parts[1] : "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            query[String(kv[0])] = kv.count > 1 ? String(kv[1]).removingPercentEncoding ?? "" : ""
        }
        let segments = path.split(separator: "/").map(String.init)
        guard request.method == "POST", let index = segments.firstIndex(of: "workflows"), index + 1 < segments.count,
            Array(segments[(index + 2)...]) == ["triggers", "manual", "paths", "invoke"]
        else { return Self.error(404, "InvalidPath", "The request path is not valid.") }
        guard segments[index + 1] == workflowID else {
            return Self.error(404, "WorkflowNotFound", "The workflow '\(segments[index + 1])' could not be found.")
        }
        guard query["api-version"] != nil, query["sp"] == "/triggers/manual/run", query["sv"] == "1.0" else {
            return Self.error(
                400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required.")
        }
        guard query["sig"] == signature else {
            return Self.error(
                401, "DirectApiInvalidAuthorizationSignature",
                "The provided request has an invalid authorization signature.")
        }
        switch state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
        case .rateLimited(let seconds):
            return .json(
                429, #"{"error":{"code":"TooManyRequests","message":"Rate limit is exceeded."}}"#,
                headers: ["Retry-After": "\(seconds)"])
        case .serverError(let status):
            return Self.error(status, "ServiceUnavailable", "The service is temporarily unavailable.")
        case nil: break
        }
        guard request.body.count <= 28 * 1024 else {
            return Self.error(413, "MessageTooLarge", "The message is larger than 28 KB.")
        }
        guard let body = request.json(), body["type"] as? String == "message",
            let attachment = (body["attachments"] as? [[String: Any]])?.first,
            attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive",
            let card = attachment["content"] as? [String: Any], card["type"] as? String == "AdaptiveCard",
            let data = try? JSONSerialization.data(withJSONObject: card)
        else {
            return Self.error(400, "InvalidTemplate", "The request content is not a message with an Adaptive Card.")
        }
        state.withLock { $0.cards.append(String(decoding: data, as: UTF8.self)) }
        return .text(202, "")
    }
}
