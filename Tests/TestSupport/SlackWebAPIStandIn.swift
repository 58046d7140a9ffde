import Foundation
import Synchronization

/// A local server that behaves like Slack's Web API `chat.postMessage` and `chat.update`
/// for one workspace, from Slack's documented behaviour (not from the watchdog's code):
///
/// - the bot token comes as `Authorization: Bearer`; none is `not_authed`, another one
///   `invalid_auth`; errors are HTTP 200 with `{"ok":false,"error":"<word>"}`;
/// - a channel it does not know is `channel_not_found`, one the bot is not in
///   `not_in_channel`; an empty text `no_text`;
/// - each message gets a `ts`; `thread_ts` puts it in that message's thread;
/// - `chat.update` of a `ts` it does not know is `message_not_found`;
/// - scripted faults: HTTP 429 with `Retry-After` (`ratelimited`), an error word, a 5xx.
public final class SlackWebAPIStandIn: Sendable {
    public enum Fault: Sendable {
        case rateLimited(retryAfter: Int)
        case error(String)
        case serverError(Int)
    }

    public struct Message: Sendable, Equatable {
        public let channel: String
        public let ts: String
        public var text: String
        public let threadTS: String?
    }

    struct State {
        var faults: [Fault] = []
        var messages: [Message] = []
        var updates: [(ts: String, text: String)] = []
        var nextTS = 0
    }

    public let token: String
    public let channels: Set<String>
    public let memberOf: Set<String>
    public let server: StubHTTPServer
    private let state = Mutex(State())

    public var baseURL: String { server.baseURL + "/api" }
    public var messages: [Message] { state.withLock { $0.messages } }
    public var updates: [(ts: String, text: String)] { state.withLock { $0.updates } }

    private init(token: String, channels: Set<String>, memberOf: Set<String>, server: StubHTTPServer) {
        self.token = token
        self.channels = channels
        self.memberOf = memberOf
        self.server = server
    }

    public static func start(token: String, channels: Set<String>, memberOf: Set<String>) async throws
        -> SlackWebAPIStandIn
    {
        let box = Mutex<SlackWebAPIStandIn?>(nil)
        let server = try await StubHTTPServer.start { request in
            box.withLock { $0 }!.respond(to: request)
        }
        let standIn = SlackWebAPIStandIn(token: token, channels: channels, memberOf: memberOf, server: server)
        box.withLock { $0 = standIn }
        return standIn
    }

    public func inject(_ faults: [Fault]) {
        state.withLock { $0.faults += faults }
    }

    public func stop() async {
        await server.stop()
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        guard request.method == "POST" else { return .json(405, #"{"ok":false,"error":"method_not_allowed"}"#) }
        let method = String(request.uri.dropFirst("/api/".count))
        guard method == "chat.postMessage" || method == "chat.update" else {
            return .json(404, #"{"ok":false,"error":"unknown_method"}"#)
        }
        let authorization = request.headers.first { $0.key.lowercased() == "authorization" }?.value
        guard let authorization else { return failure("not_authed") }
        guard authorization == "Bearer \(token)" else { return failure("invalid_auth") }
        let fault = state.withLock { $0.faults.isEmpty ? nil : $0.faults.removeFirst() }
        switch fault {
        case .rateLimited(let seconds):
            return .json(429, #"{"ok":false,"error":"ratelimited"}"#, headers: ["Retry-After": "\(seconds)"])
        case .error(let word):
            return failure(word)
        case .serverError(let status):
            return .text(status, "upstream trouble")
        case nil:
            break
        }
        guard let body = request.json() else { return failure("invalid_json") }
        let channel = body["channel"] as? String ?? ""
        guard channels.contains(channel) else { return failure("channel_not_found") }
        guard memberOf.contains(channel) else { return failure("not_in_channel") }
        guard let text = body["text"] as? String, !text.isEmpty else { return failure("no_text") }
        if method == "chat.update" {
            let ts = body["ts"] as? String ?? ""
            return state.withLock { state in
                guard let index = state.messages.firstIndex(where: { $0.ts == ts && $0.channel == channel }) else {
                    return failure("message_not_found")
                }
                state.messages[index].text = text
                state.updates.append((ts, text))
                return .json(200, #"{"ok":true,"channel":"\#(channel)","ts":"\#(ts)"}"#)
            }
        }
        return state.withLock { state in
            state.nextTS += 1
            let ts = "1800000000.\(String(format: "%06d", state.nextTS))"
            state.messages.append(Message(channel: channel, ts: ts, text: text, threadTS: body["thread_ts"] as? String))
            return .json(200, #"{"ok":true,"channel":"\#(channel)","ts":"\#(ts)","message":{"ts":"\#(ts)"}}"#)
        }
    }

    private func failure(_ word: String) -> StubResponse {
        .json(200, #"{"ok":false,"error":"\#(word)"}"#)
    }
}
