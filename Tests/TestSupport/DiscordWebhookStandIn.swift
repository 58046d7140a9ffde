import Foundation
import Synchronization

/// A local server that behaves like Discord's webhook API for one webhook, from
/// Discord's documentation (not from the watchdog's code):
///
/// - `POST /api/webhooks/{id}/{token}` executes the webhook: without `?wait=true` it
///   answers 204 and no body, with it 200 and the message (`id`, `content`, `embeds`);
///   `?thread_id=` posts in that thread (unknown: 400, code 10003);
/// - an unknown id is 404 `Unknown Webhook` (10015), a wrong token 401 `Invalid Webhook
///   Token` (50027), neither content nor embeds 400 (50006), a body over Discord's limits
///   (content 2,000, embed title 256, description 4,096, an embed 6,000 characters, 10
///   embeds) 400 `Invalid Form Body` (50035) with the field;
/// - `PATCH /api/webhooks/{id}/{token}/messages/{message}` edits a message the webhook
///   sent; another id is 404 `Unknown Message` (10008);
/// - scripted faults: 429 with the wait in the body (`retry_after`, seconds with
///   fractions) and `Retry-After` rounded up, as Discord sends both; a 5xx.
public final class DiscordWebhookStandIn: Sendable {
    public enum Fault: Sendable {
        case rateLimited(retryAfter: Double)
        case serverError(Int)
    }

    public struct Message: Sendable {
        public let id: String
        public var content: String?
        public var embeds: [[String: Any]] {
            (try? JSONSerialization.jsonObject(with: Data(embedsJSON.utf8)) as? [[String: Any]]) ?? []
        }
        public var embedsJSON: String
        public var allowedMentions: String?
        public let threadID: String?
        public var username: String?
        public var edits: Int
    }

    struct State {
        var faults: [Fault] = []
        var messages: [Message] = []
        var nextID: UInt64 = 1_180_000_000_000_000_000
    }

    public let webhookID: String
    public let token: String
    public let threads: Set<String>
    public let server: StubHTTPServer
    private let state = Mutex(State())

    /// What `WATCHDOG_DISCORD_API_URL` is set to.
    public var apiBaseURL: String { server.baseURL + "/api" }
    public var messages: [Message] { state.withLock { $0.messages } }

    private init(webhookID: String, token: String, threads: Set<String>, server: StubHTTPServer) {
        self.webhookID = webhookID
        self.token = token
        self.threads = threads
        self.server = server
    }

    public static func start(webhookID: String, token: String, threads: Set<String> = []) async throws
        -> DiscordWebhookStandIn
    {
        let box = Mutex<DiscordWebhookStandIn?>(nil)
        let server = try await StubHTTPServer.start { request in
            box.withLock { $0 }!.respond(to: request)
        }
        let standIn = DiscordWebhookStandIn(webhookID: webhookID, token: token, threads: threads, server: server)
        box.withLock { $0 = standIn }
        return standIn
    }

    public func inject(_ faults: [Fault]) {
        state.withLock { $0.faults += faults }
    }

    public func stop() async {
        await server.stop()
    }

    static func error(_ status: Int, _ message: String, code: Int, extra: String = "") -> StubResponse {
        .json(status, #"{"message": "\#(message)", "code": \#(code)\#(extra)}"#)
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        let (path, query) = Self.split(request.uri)
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 4, parts[0] == "api", parts[1] == "webhooks" else {
            return Self.error(404, "404: Not Found", code: 0)
        }
        guard parts[2] == webhookID else { return Self.error(404, "Unknown Webhook", code: 10015) }
        guard parts[3] == token else { return Self.error(401, "Invalid Webhook Token", code: 50027) }
        let fault = state.withLock { $0.faults.isEmpty ? nil : $0.faults.removeFirst() }
        switch fault {
        case .rateLimited(let seconds):
            return .json(
                429, #"{"message": "You are being rate limited.", "retry_after": \#(seconds), "global": false}"#,
                headers: [
                    "Retry-After": "\(Int(seconds.rounded(.up)))", "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0", "X-RateLimit-Scope": "shared",
                ])
        case .serverError(let status):
            return .text(status, "upstream connect error or disconnect/reset before headers")
        case nil:
            break
        }
        let thread = query["thread_id"]
        if let thread, !threads.contains(thread) { return Self.error(400, "Unknown Channel", code: 10003) }
        guard let body = request.json() else { return Self.error(400, "Cannot send an empty message", code: 50006) }
        if let problem = Self.overLimit(body) {
            return Self.error(
                400, "Invalid Form Body", code: 50035,
                extra:
                    #", "errors": {"\#(problem)": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be shorter"}]}}"#
            )
        }
        let content = body["content"] as? String
        let embeds = body["embeds"] as? [[String: Any]] ?? []
        let embedsJSON = String(
            decoding: (try? JSONSerialization.data(withJSONObject: embeds)) ?? Data("[]".utf8), as: UTF8.self)
        let mentions = (body["allowed_mentions"]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }
            .map { String(decoding: $0, as: UTF8.self) }

        if request.method == "PATCH", parts.count == 6, parts[4] == "messages" {
            return state.withLock { state in
                guard let index = state.messages.firstIndex(where: { $0.id == parts[5] }) else {
                    return Self.error(404, "Unknown Message", code: 10008)
                }
                if body["content"] != nil { state.messages[index].content = content }
                if body["embeds"] != nil { state.messages[index].embedsJSON = embedsJSON }
                state.messages[index].edits += 1
                return .json(200, Self.messageJSON(state.messages[index]))
            }
        }
        guard request.method == "POST", parts.count == 4 else {
            return Self.error(405, "405: Method Not Allowed", code: 0)
        }
        guard (content?.isEmpty == false) || !embeds.isEmpty else {
            return Self.error(400, "Cannot send an empty message", code: 50006)
        }
        let message = state.withLock { state in
            state.nextID += 1
            let message = Message(
                id: String(state.nextID), content: content, embedsJSON: embedsJSON, allowedMentions: mentions,
                threadID: thread, username: body["username"] as? String, edits: 0)
            state.messages.append(message)
            return message
        }
        guard ["true", "True", "1", "yes"].contains(query["wait"] ?? "") else { return StubResponse(status: 204) }
        return .json(200, Self.messageJSON(message))
    }

    /// The first field over Discord's limits, as its error names it.
    static func overLimit(_ body: [String: Any]) -> String? {
        if let content = body["content"] as? String, content.count > 2_000 { return "content" }
        let embeds = body["embeds"] as? [[String: Any]] ?? []
        if embeds.count > 10 { return "embeds" }
        for (index, embed) in embeds.enumerated() {
            let title = embed["title"] as? String ?? ""
            let description = embed["description"] as? String ?? ""
            if title.count > 256 { return "embeds.\(index).title" }
            if description.count > 4_096 { return "embeds.\(index).description" }
            if title.count + description.count > 6_000 { return "embeds.\(index)" }
        }
        return nil
    }

    static func messageJSON(_ message: Message) -> String {
        let content = String(
            decoding: (try? JSONSerialization.data(withJSONObject: message.content ?? "", options: .fragmentsAllowed))
                ?? Data(#""""#.utf8), as: UTF8.self)
        return
            #"{"id": "\#(message.id)", "type": 0, "content": \#(content), "embeds": \#(message.embedsJSON), "webhook_id": "1"}"#
    }

    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            query[String(parts[0])] = parts.count > 1 ? String(parts[1]).removingPercentEncoding : ""
        }
        return (String(uri[..<mark]), query)
    }
}
