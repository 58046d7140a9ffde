import Foundation
import Synchronization

/// A local server that behaves like Gotify's `POST /message`, from Gotify's API
/// documentation (not from the watchdog's code): the application token in
/// `X-Gotify-Key` (or `?token=`), else 401 with Gotify's error object; a message without
/// `message` is 400; `priority` an integer; the stored message answered as JSON. A
/// `pathPrefix` serves it below a path, as behind a reverse proxy. Scripted faults: a 5xx
/// or a proxy's 429.
public final class GotifyStandIn: Sendable {
    public enum Fault: Sendable {
        case serverError(Int)
        case rateLimited(retryAfter: Int)
    }

    public struct Message: Sendable, Equatable {
        public let title: String?
        public let message: String
        public let priority: Int

        public init(title: String?, message: String, priority: Int) {
            self.title = title
            self.message = message
            self.priority = priority
        }
    }

    struct State {
        var faults: [Fault] = []
        var messages: [Message] = []
    }

    public let token: String
    public let pathPrefix: String
    public let server: StubHTTPServer
    private let state = Mutex(State())
    public var messages: [Message] { state.withLock { $0.messages } }

    private init(token: String, pathPrefix: String, server: StubHTTPServer) {
        self.token = token
        self.pathPrefix = pathPrefix
        self.server = server
    }

    public static func start(token: String, pathPrefix: String = "") async throws -> GotifyStandIn {
        let box = Mutex<GotifyStandIn?>(nil)
        let server = try await StubHTTPServer.start { request in box.withLock { $0 }!.respond(to: request) }
        let standIn = GotifyStandIn(token: token, pathPrefix: pathPrefix, server: server)
        box.withLock { $0 = standIn }
        return standIn
    }

    public func inject(_ faults: [Fault]) { state.withLock { $0.faults += faults } }
    public func stop() async { await server.stop() }

    static func error(_ status: Int, _ name: String, _ description: String) -> StubResponse {
        .json(status, #"{"error":"\#(name)","errorCode":\#(status),"errorDescription":"\#(description)"}"#)
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard request.method == "POST", path == pathPrefix + "/message" else {
            return Self.error(404, "Not Found", "page not found")
        }
        let queryToken = request.uri.split(separator: "?", maxSplits: 1).dropFirst().first?
            .split(separator: "&").first { $0.hasPrefix("token=") }.map { String($0.dropFirst("token=".count)) }
        let given = request.headers.first { $0.key.lowercased() == "x-gotify-key" }?.value ?? queryToken
        guard given == token else {
            return Self.error(
                401, "Unauthorized", "you need to provide a valid access token or user credentials to access this api")
        }
        switch state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
        case .serverError(let status): return .text(status, "Bad Gateway")
        case .rateLimited(let seconds): return .text(429, "Too Many Requests", headers: ["Retry-After": "\(seconds)"])
        case nil: break
        }
        guard let body = request.json(), let message = body["message"] as? String, !message.isEmpty else {
            return Self.error(400, "Bad Request", "Field 'message' is required")
        }
        let priority = body["priority"] as? Int ?? 0
        let stored = Message(title: body["title"] as? String, message: message, priority: priority)
        let id = state.withLock { state in
            state.messages.append(stored)
            return state.messages.count
        }
        return .json(
            200, #"{"id":\#(id),"appid":1,"priority":\#(priority),"date":"2027-01-15T08:00:00Z","message":"ok"}"#)
    }
}

/// A local server that behaves like a Mattermost incoming webhook, from Mattermost's
/// documentation (not from the watchdog's code): `POST /hooks/{token}` with `text` or
/// Slack-style `attachments` answers `ok`; an unknown hook is 400 `Invalid webhook.`;
/// neither text nor attachments 400 `No text specified.`; a post over 16,383 characters
/// 400; `channel` and `username` overrides recorded. Errors are Mattermost's JSON
/// (`id`, `message`, `status_code`). Scripted faults: 429 with Mattermost's rate-limit
/// headers, a 5xx.
public final class MattermostStandIn: Sendable {
    public enum Fault: Sendable {
        case rateLimited(retryAfter: Int)
        case serverError(Int)
    }

    public struct Post: Sendable {
        public let text: String?
        public let attachmentsJSON: String
        public let channel: String?
        public let username: String?
        public var attachments: [[String: Any]] {
            (try? JSONSerialization.jsonObject(with: Data(attachmentsJSON.utf8)) as? [[String: Any]]) ?? []
        }
    }

    struct State {
        var faults: [Fault] = []
        var posts: [Post] = []
    }

    public let token: String
    public let server: StubHTTPServer
    private let state = Mutex(State())
    public var posts: [Post] { state.withLock { $0.posts } }

    private init(token: String, server: StubHTTPServer) {
        self.token = token
        self.server = server
    }

    public static func start(token: String) async throws -> MattermostStandIn {
        let box = Mutex<MattermostStandIn?>(nil)
        let server = try await StubHTTPServer.start { request in box.withLock { $0 }!.respond(to: request) }
        let standIn = MattermostStandIn(token: token, server: server)
        box.withLock { $0 = standIn }
        return standIn
    }

    public func inject(_ faults: [Fault]) { state.withLock { $0.faults += faults } }
    public func stop() async { await server.stop() }

    static func error(_ status: Int, _ id: String, _ message: String) -> StubResponse {
        .json(
            status,
            #"{"id":"\#(id)","message":"\#(message)","detailed_error":"","request_id":"wd1","status_code":\#(status)}"#)
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        guard request.method == "POST", request.uri.hasPrefix("/hooks/") else {
            return Self.error(404, "api.context.404.app_error", "Sorry, we could not find the page.")
        }
        guard request.uri.dropFirst("/hooks/".count) == token else {
            return Self.error(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.")
        }
        switch state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
        case .rateLimited(let seconds):
            return .text(
                429, "limit exceeded",
                headers: ["Retry-After": "\(seconds)", "X-Ratelimit-Limit": "10", "X-Ratelimit-Remaining": "0"])
        case .serverError(let status): return .text(status, "Bad Gateway")
        case nil: break
        }
        guard let body = request.json() else {
            return Self.error(400, "web.incoming_webhook.parse.app_error", "Unable to parse incoming data.")
        }
        let text = body["text"] as? String
        let attachments = body["attachments"] as? [[String: Any]] ?? []
        guard text?.isEmpty == false || !attachments.isEmpty else {
            return Self.error(400, "web.incoming_webhook.text.app_error", "No text specified.")
        }
        let json = String(
            decoding: (try? JSONSerialization.data(withJSONObject: attachments)) ?? Data("[]".utf8), as: UTF8.self)
        guard (text?.count ?? 0) + json.count <= 16_383 else {
            return Self.error(400, "web.incoming_webhook.text.length.app_error", "Message is too long.")
        }
        state.withLock {
            $0.posts.append(
                Post(
                    text: text, attachmentsJSON: json, channel: body["channel"] as? String,
                    username: body["username"] as? String))
        }
        return .text(200, "ok")
    }
}
