import Foundation
import Synchronization

/// A local server that behaves like the Telegram Bot API's `sendMessage`, written from
/// the API's documented behaviour (not from the watchdog's code):
///
/// - `POST /bot<token>/sendMessage` with a JSON body; a wrong token is 401, an unknown
///   method 404;
/// - HTML parse mode is parsed like Telegram does: only its tags, properly nested,
///   entities `&lt; &gt; &amp; &quot;` and numeric ones; anything else is 400
///   "can't parse entities";
/// - text longer than 4096 UTF-16 code units after entity parsing is 400 "message is
///   too long"; an empty text is 400 "message text is empty";
/// - scripted faults: 429 with `retry_after`, 400 with `migrate_to_chat_id`, 5xx, hangs.
public final class TelegramStandIn: Sendable {
    public enum Fault: Sendable {
        case tooManyRequests(retryAfter: Int)
        case migrate(to: Int64)
        case serverError(Int)
        case chatNotFound
        case hang
        /// Answers 200 with a valid body, one byte every interval (a stalled proxy).
        case trickle(Duration)
    }

    public struct Message: Sendable, Equatable {
        public let chatID: String
        public let text: String
        public let threadID: Int?
        public let silent: Bool
        public let previewDisabled: Bool
    }

    public let token: String
    public let server: StubHTTPServer
    private let state: Mutex<(faults: [Fault], accepted: [Message], failing: Bool)>

    public var baseURL: String { server.baseURL }
    /// Messages the API accepted, in order.
    public var accepted: [Message] { state.withLock { $0.accepted } }

    private init(token: String, server: StubHTTPServer) {
        self.token = token
        self.server = server
        self.state = Mutex(([], [], false))
    }

    public static func start(token: String, host: String = "127.0.0.1", port: Int = 0) async throws
        -> TelegramStandIn
    {
        let box = Box()
        let server = try await StubHTTPServer.start(host: host, port: port) { request in
            box.standIn.withLock { $0 }!.respond(to: request)
        }
        let standIn = TelegramStandIn(token: token, server: server)
        box.standIn.withLock { $0 = standIn }
        return standIn
    }

    private final class Box: Sendable {
        let standIn = Mutex<TelegramStandIn?>(nil)
    }

    /// The next requests meet these faults, one each, before normal service resumes.
    public func inject(_ faults: [Fault]) {
        state.withLock { $0.faults += faults }
    }

    /// While failing, every request gets a 502: the API is down.
    public func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    public func stop() async {
        await server.stop()
    }

    func respond(to request: RecordedRequest) -> StubResponse {
        guard request.method == "POST" else { return error(404, "Not Found") }
        guard request.uri.hasPrefix("/bot\(token)/") else { return error(401, "Unauthorized") }
        guard request.uri == "/bot\(token)/sendMessage" else { return error(404, "Not Found: method not found") }
        let (fault, failing) = state.withLock { state -> (Fault?, Bool) in
            (state.faults.isEmpty ? nil : state.faults.removeFirst(), state.failing)
        }
        if failing { return error(502, "Bad Gateway") }
        switch fault {
        case .tooManyRequests(let seconds):
            return .json(
                429,
                #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after \#(seconds)","parameters":{"retry_after":\#(seconds)}}"#
            )
        case .migrate(let chatID):
            return .json(
                400,
                #"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":\#(chatID)}}"#
            )
        case .serverError(let status):
            return error(status, "Internal Server Error")
        case .chatNotFound:
            return error(400, "Bad Request: chat not found")
        case .hang:
            return .hangs
        case .trickle(let every):
            var answer = StubResponse.json(200, #"{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1}}}"#)
            answer.trickle = every
            return answer
        case nil:
            break
        }
        guard let body = request.json(), let text = body["text"] as? String else {
            return error(400, "Bad Request: message text is empty")
        }
        let chatID = (body["chat_id"] as? NSNumber)?.stringValue ?? (body["chat_id"] as? String) ?? ""
        guard !chatID.isEmpty else { return error(400, "Bad Request: chat_id is empty") }
        let visible: String
        if body["parse_mode"] as? String == "HTML" {
            switch Self.parseHTML(text) {
            case .success(let plain): visible = plain
            case .failure(let problem): return error(400, "Bad Request: can't parse entities: \(problem.message)")
            }
        } else {
            visible = text
        }
        if visible.isEmpty { return error(400, "Bad Request: message text is empty") }
        if visible.utf16.count > 4096 { return error(400, "Bad Request: message is too long") }
        let message = Message(
            chatID: chatID, text: text, threadID: body["message_thread_id"] as? Int,
            silent: body["disable_notification"] as? Bool ?? false,
            previewDisabled: (body["link_preview_options"] as? [String: Any])?["is_disabled"] as? Bool ?? false)
        let id = state.withLock { state in
            state.accepted.append(message)
            return state.accepted.count
        }
        return .json(200, #"{"ok":true,"result":{"message_id":\#(id),"date":1800000000,"chat":{"id":\#(chatID)}}}"#)
    }

    private func error(_ status: Int, _ description: String) -> StubResponse {
        let escaped = description.replacingOccurrences(of: "\"", with: "\\\"")
        return .json(status, #"{"ok":false,"error_code":\#(status),"description":"\#(escaped)"}"#)
    }

    public struct HTMLProblem: Error, Sendable {
        public let message: String
    }

    static let allowedTags: Set<String> = [
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span",
        "blockquote", "tg-emoji",
    ]

    /// Telegram's HTML rules, independently: the visible text, or what is wrong.
    public static func parseHTML(_ html: String) -> Result<String, HTMLProblem> {
        var visible = ""
        var open: [String] = []
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<" {
                guard let close = html[index...].firstIndex(of: ">") else {
                    return .failure(HTMLProblem(message: "unclosed start tag"))
                }
                var tag = html[html.index(after: index)..<close]
                let closing = tag.hasPrefix("/")
                if closing { tag = tag.dropFirst() }
                let name = String(tag.prefix { $0 != " " }).lowercased()
                guard allowedTags.contains(name) else {
                    return .failure(HTMLProblem(message: "Unsupported start tag \"\(name)\""))
                }
                if closing {
                    guard open.last == name else {
                        return .failure(HTMLProblem(message: "Unmatched end tag \"\(name)\""))
                    }
                    open.removeLast()
                } else {
                    open.append(name)
                }
                index = html.index(after: close)
            } else if character == "&" {
                guard let semicolon = html[index...].prefix(12).firstIndex(of: ";") else {
                    return .failure(HTMLProblem(message: "unescaped &"))
                }
                let entity = String(html[html.index(after: index)..<semicolon])
                switch entity {
                case "lt": visible += "<"
                case "gt": visible += ">"
                case "amp": visible += "&"
                case "quot": visible += "\""
                default:
                    if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                        visible.unicodeScalars.append(scalar)
                    } else {
                        return .failure(HTMLProblem(message: "unsupported entity &\(entity);"))
                    }
                }
                index = html.index(after: semicolon)
            } else {
                visible.append(character)
                index = html.index(after: index)
            }
        }
        guard open.isEmpty else {
            return .failure(HTMLProblem(message: "Can't find end tag corresponding to start tag \"\(open.last!)\""))
        }
        return .success(visible)
    }
}
