import Foundation
import Synchronization

/// A local server that behaves like an ntfy server's publish API, from ntfy's
/// documentation (not from the watchdog's code):
///
/// - `POST /` with a JSON message (`topic`, `message`, `title`, `priority` 1–5, `tags`)
///   publishes it and answers the message as JSON (`id`, `time`, `event`, ...); headers
///   `X-Title`, `X-Priority` (a number or `min` … `max`) and `X-Tags` fill in what the
///   JSON leaves out;
/// - a topic that is not 1–64 of `A-Za-z0-9_-` is 400 (40009), a priority outside 1–5
///   400 (40007), a body that is not JSON 400 (40017), a message over 4,096 bytes 413
///   (41301, as a server without an attachment cache answers);
/// - with users or tokens configured, anonymous publishing is 403 `forbidden` (40301) and
///   wrong credentials 401 `unauthorized` (40101);
/// - scripted faults: 429 `limit reached: too many requests` (42901), a 5xx.
public final class NtfyStandIn: Sendable {
    public enum Fault: Sendable {
        case rateLimited
        case serverError(Int)
    }

    public struct Message: Sendable, Equatable {
        public let id: String
        public let topic: String
        public let title: String?
        public let message: String
        public let priority: Int
        public let tags: [String]
        public let authorization: String?
        /// The message's action buttons, as ntfy keeps them.
        public var actions: [Action] = []
    }

    struct State {
        var faults: [Fault] = []
        var messages: [Message] = []
        var next = 0
    }

    public let users: [String: String]
    public let tokens: Set<String>
    public let server: StubHTTPServer

    /// One action button: `view` opens a URL, `http` sends a request from the app.
    public struct Action: Sendable, Equatable {
        public let action: String
        public let label: String
        public let url: String
        public let method: String?
        public let clear: Bool
    }
    private let state = Mutex(State())

    public var baseURL: String { server.baseURL }
    public var messages: [Message] { state.withLock { $0.messages } }

    private init(users: [String: String], tokens: Set<String>, server: StubHTTPServer) {
        self.users = users
        self.tokens = tokens
        self.server = server
    }

    public static func start(users: [String: String] = [:], tokens: Set<String> = []) async throws -> NtfyStandIn {
        let box = Mutex<NtfyStandIn?>(nil)
        let server = try await StubHTTPServer.start { request in
            box.withLock { $0 }!.respond(to: request)
        }
        let standIn = NtfyStandIn(users: users, tokens: tokens, server: server)
        box.withLock { $0 = standIn }
        return standIn
    }

    public func inject(_ faults: [Fault]) {
        state.withLock { $0.faults += faults }
    }

    public func stop() async {
        await server.stop()
    }

    static func error(_ status: Int, _ code: Int, _ text: String) -> StubResponse {
        .json(status, #"{"code":\#(code),"http":\#(status),"error":"\#(text)","link":"https://ntfy.sh/docs/publish/"}"#)
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        guard request.method == "POST" || request.method == "PUT", request.uri == "/" || request.uri.hasPrefix("/?")
        else { return Self.error(404, 40401, "page not found") }
        let authorization = request.headers.first { $0.key.lowercased() == "authorization" }?.value
        if !users.isEmpty || !tokens.isEmpty {
            guard let authorization else { return Self.error(403, 40301, "forbidden") }
            if authorization.hasPrefix("Bearer ") {
                guard tokens.contains(String(authorization.dropFirst("Bearer ".count))) else {
                    return Self.error(401, 40101, "unauthorized")
                }
            } else if authorization.hasPrefix("Basic "),
                let decoded = Data(base64Encoded: String(authorization.dropFirst("Basic ".count))),
                let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
            {
                guard users[String(pair[..<colon])] == String(pair[pair.index(after: colon)...]) else {
                    return Self.error(401, 40101, "unauthorized")
                }
            } else {
                return Self.error(401, 40101, "unauthorized")
            }
        }
        let fault = state.withLock { $0.faults.isEmpty ? nil : $0.faults.removeFirst() }
        switch fault {
        case .rateLimited: return Self.error(429, 42901, "limit reached: too many requests")
        case .serverError(let status): return .text(status, "Bad Gateway")
        case nil: break
        }
        guard let body = request.json() else {
            return Self.error(400, 40017, "invalid request: request body must be message JSON")
        }
        let header = { (name: String) in request.headers.first { $0.key.lowercased() == name }?.value }
        let topic = body["topic"] as? String ?? ""
        guard (1...64).contains(topic.count),
            topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return Self.error(400, 40009, "invalid request: topic invalid") }
        let message = body["message"] as? String ?? ""
        guard message.utf8.count <= 4_096 else { return Self.error(413, 41301, "limit reached: message too large") }
        // X-Priority takes a number or a name, as ntfy reads it.
        let names = ["min": 1, "low": 2, "default": 3, "high": 4, "max": 5, "urgent": 5]
        let headerPriority = header("x-priority").map { Int($0) ?? names[$0.lowercased()] ?? 0 }
        let priority = (body["priority"] as? Int) ?? headerPriority ?? 3
        guard (1...5).contains(priority) else { return Self.error(400, 40007, "invalid request: priority invalid") }
        let tags =
            (body["tags"] as? [String])
            ?? header("x-tags").map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            ?? []
        // As ntfy checks them: at most three, a known kind, a label, an http(s) URL, a method.
        var actions: [Action] = []
        if let listed = body["actions"] {
            guard let list = listed as? [[String: Any]], list.count <= 3 else {
                return Self.error(400, 40018, "invalid request: actions invalid")
            }
            for item in list {
                let kind = item["action"] as? String ?? ""
                let label = item["label"] as? String ?? ""
                let url = item["url"] as? String ?? ""
                let method = item["method"] as? String
                guard ["view", "http"].contains(kind), !label.isEmpty,
                    url.hasPrefix("http://") || url.hasPrefix("https://"),
                    method.map({ ["GET", "POST", "PUT"].contains($0) }) ?? true
                else { return Self.error(400, 40018, "invalid request: actions invalid") }
                actions.append(
                    Action(action: kind, label: label, url: url, method: method, clear: item["clear"] as? Bool ?? false)
                )
            }
        }
        let stored = state.withLock { state in
            state.next += 1
            var stored = Message(
                id: String(format: "wd%08d", state.next), topic: topic,
                title: body["title"] as? String ?? header("x-title"), message: message, priority: priority, tags: tags,
                authorization: authorization)
            stored.actions = actions
            state.messages.append(stored)
            return stored
        }
        let answer: [String: Any] = [
            "id": stored.id, "time": 1_800_000_000, "expires": 1_800_043_200, "event": "message", "topic": topic,
            "title": stored.title ?? "", "message": message, "priority": priority, "tags": tags,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: answer)) ?? Data()
        return .json(200, String(decoding: data, as: UTF8.self))
    }
}
