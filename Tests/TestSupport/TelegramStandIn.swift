import Foundation
import Synchronization

/// A local server that behaves like the Telegram Bot API, written from the API's
/// documented behaviour (not from the watchdog's code):
///
/// - `POST /bot<token>/<method>` with a JSON body; a wrong token is 401, an unknown
///   method 404;
/// - `sendMessage`: HTML parse mode is parsed like Telegram does: only its tags, properly
///   nested, entities `&lt; &gt; &amp; &quot;` and numeric ones; anything else is 400
///   "can't parse entities"; text longer than 4096 UTF-16 code units after entity
///   parsing is 400 "message is too long", an empty one 400 "message text is empty";
///   each message gets the next `message_id`; `reply_parameters` naming a message that
///   does not exist is 400 "message to be replied not found" unless
///   `allow_sending_without_reply`; `reply_markup` buttons with `callback_data` over 64
///   bytes are 400 "BUTTON_DATA_INVALID";
/// - `editMessageText`: 400 "message to edit not found" for an unknown (or deleted) id,
///   "message is not modified" when nothing changes, "message can't be edited" when the
///   test says so; without `reply_markup` the buttons go, as in Telegram;
/// - `answerCallbackQuery`: 400 "query is too old…" for an id it never sent;
/// - `getMe`; `getUpdates` with `offset` (earlier updates are confirmed and forgotten)
///   and a long-poll `timeout` (the answer waits for an update that long), and a 409
///   mode ("terminated by other getUpdates request");
/// - scripted faults for message calls: 429 with `retry_after`, 400 with
///   `migrate_to_chat_id`, 5xx, hangs.
public final class TelegramStandIn: Sendable {
    public enum Fault: Sendable {
        case tooManyRequests(retryAfter: Int)
        case migrate(to: Int64)
        case serverError(Int)
        case chatNotFound
        case hang
        /// Answers 200 with a valid body, one byte every interval (a stalled proxy).
        case trickle(Duration)
        /// 400 "message can't be edited" (an edit only).
        case notEditable
    }

    public struct Message: Sendable, Equatable {
        public let chatID: String
        public let text: String
        public let threadID: Int?
        public let silent: Bool
        public let previewDisabled: Bool
        public var messageID: Int = 0
        /// `reply_parameters.message_id`.
        public var replyTo: Int?
        /// The buttons' `callback_data`, in order.
        public var buttons: [String] = []
        public var buttonTexts: [String] = []
    }

    /// One accepted `editMessageText`.
    public struct Edit: Sendable, Equatable {
        public let messageID: Int
        public let text: String
        public let keepsButtons: Bool
    }

    struct State {
        var faults: [Fault] = []
        var accepted: [Message] = []
        var failing = false
        /// Current text of every message, by id (deleted ones removed).
        var current: [Int: (text: String, buttons: [String])] = [:]
        var edits: [Edit] = []
        var callbackAnswers: [(id: String, text: String)] = []
        var openCallbacks: Set<String> = []
        var updates: [(id: Int64, json: String)] = []
        var nextUpdateID: Int64 = 1000
        var nextMessageID = 0
        var conflict = false
        var pollTimeouts: [Int] = []
        var offsets: [Int64?] = []
    }

    public let token: String
    public let botUsername: String
    public let server: StubHTTPServer
    private let state: Mutex<State>

    public var baseURL: String { server.baseURL }
    /// Messages the API accepted, in order.
    public var accepted: [Message] { state.withLock { $0.accepted } }
    /// Edits the API accepted, in order.
    public var edits: [Edit] { state.withLock { $0.edits } }
    /// `answerCallbackQuery` calls accepted: the press id and the toast.
    public var callbackAnswers: [(id: String, text: String)] { state.withLock { $0.callbackAnswers } }
    /// The text a message shows now.
    public func currentText(of messageID: Int) -> String? { state.withLock { $0.current[messageID]?.text } }
    /// The buttons a message shows now.
    public func currentButtons(of messageID: Int) -> [String] {
        state.withLock { $0.current[messageID]?.buttons ?? [] }
    }
    /// The `timeout` and `offset` of every `getUpdates` call, in order.
    public var polls: [(timeout: Int, offset: Int64?)] {
        state.withLock { state in Array(zip(state.pollTimeouts, state.offsets)) }
    }
    /// The id of the newest message in the chat, the users' included.
    public var lastMessageID: Int { state.withLock { $0.nextMessageID } }
    /// Updates not yet confirmed by an offset past them.
    public var unconfirmedUpdates: Int { state.withLock { $0.updates.count } }

    private init(token: String, botUsername: String, server: StubHTTPServer) {
        self.token = token
        self.botUsername = botUsername
        self.server = server
        self.state = Mutex(State())
    }

    public static func start(
        token: String, botUsername: String = "watchdog_test_bot", host: String = "127.0.0.1", port: Int = 0
    ) async throws -> TelegramStandIn {
        let box = Box()
        let server = try await StubHTTPServer.start(host: host, port: port) { request in
            await box.standIn.withLock { $0 }!.respond(to: request)
        }
        let standIn = TelegramStandIn(token: token, botUsername: botUsername, server: server)
        box.standIn.withLock { $0 = standIn }
        return standIn
    }

    private final class Box: Sendable {
        let standIn = Mutex<TelegramStandIn?>(nil)
    }

    /// The next message calls meet these faults, one each, before normal service resumes.
    public func inject(_ faults: [Fault]) {
        state.withLock { $0.faults += faults }
    }

    /// While failing, every message call gets a 502: the API is down.
    public func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    /// While on, `getUpdates` answers 409: another program polls this bot.
    public func setConflict(_ conflict: Bool) {
        state.withLock { $0.conflict = conflict }
    }

    /// The message is deleted in the chat: editing it is "not found", replying to it
    /// needs `allow_sending_without_reply`.
    public func delete(messageID: Int) {
        _ = state.withLock { $0.current.removeValue(forKey: messageID) }
    }

    /// A user writes `text` in `chatID` (in topic `threadID`); returns the update id.
    @discardableResult
    public func userSends(
        _ text: String, chatID: Int64, userID: Int64, username: String? = nil, firstName: String = "Op",
        threadID: Int? = nil
    ) -> Int64 {
        state.withLock { state in
            state.nextMessageID += 1
            state.nextUpdateID += 1
            let message: [String: Any] = [
                "message_id": state.nextMessageID, "date": 1_800_000_000,
                "chat": ["id": chatID, "type": chatID < 0 ? "supergroup" : "private"],
                "from": Self.user(userID, username, firstName), "text": text,
            ].merging(threadID.map { ["message_thread_id": $0, "is_topic_message": true] } ?? [:]) { a, _ in a }
            // The user's message is in the chat: it can be replied to (not edited by the bot).
            state.current[state.nextMessageID] = (text, [])
            let json = Self.json(["update_id": state.nextUpdateID, "message": message])
            state.updates.append((state.nextUpdateID, json))
            return state.nextUpdateID
        }
    }

    /// A user presses the button with `data` under message `messageID`; returns the
    /// update id. The callback carries the message as Telegram does (chat and id).
    @discardableResult
    public func userPresses(
        _ data: String, on messageID: Int, chatID: Int64, userID: Int64, username: String? = nil,
        firstName: String = "Op"
    ) -> Int64 {
        state.withLock { state in
            state.nextUpdateID += 1
            let callbackID = "cb\(state.nextUpdateID)"
            state.openCallbacks.insert(callbackID)
            let callback: [String: Any] = [
                "id": callbackID, "from": Self.user(userID, username, firstName), "chat_instance": "1", "data": data,
                "message": [
                    "message_id": messageID, "date": 1_800_000_000, "chat": ["id": chatID, "type": "supergroup"],
                    "text": state.current[messageID]?.text ?? "",
                ] as [String: Any],
            ]
            state.updates.append(
                (state.nextUpdateID, Self.json(["update_id": state.nextUpdateID, "callback_query": callback])))
            return state.nextUpdateID
        }
    }

    static func user(_ id: Int64, _ username: String?, _ firstName: String) -> [String: Any] {
        var user: [String: Any] = ["id": id, "is_bot": false, "first_name": firstName]
        if let username { user["username"] = username }
        return user
    }

    static func json(_ object: [String: Any]) -> String {
        String(
            decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(),
            as: UTF8.self)
    }

    public func stop() async {
        await server.stop()
    }

    static let messageMethods: Set<String> = ["sendMessage", "editMessageText", "editMessageReplyMarkup"]

    func respond(to request: RecordedRequest) async -> StubResponse {
        guard request.method == "POST" || request.method == "GET" else { return error(404, "Not Found") }
        guard request.uri.hasPrefix("/bot\(token)/") else { return error(401, "Unauthorized") }
        let method = String(request.uri.dropFirst("/bot\(token)/".count).prefix { $0 != "?" })
        let body = request.json() ?? [:]
        switch method {
        case "getMe":
            return .json(
                200,
                #"{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"watchdog","username":"\#(botUsername)"}}"#)
        case "getUpdates":
            return await getUpdates(body)
        case "answerCallbackQuery":
            let id = body["callback_query_id"] as? String ?? ""
            let known = state.withLock { state -> Bool in
                guard state.openCallbacks.remove(id) != nil else { return false }
                state.callbackAnswers.append((id, body["text"] as? String ?? ""))
                return true
            }
            return known
                ? .json(200, #"{"ok":true,"result":true}"#)
                : error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        case _ where Self.messageMethods.contains(method):
            break
        default:
            return error(404, "Not Found: method not found")
        }
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
        case .notEditable:
            if method != "sendMessage" { return error(400, "Bad Request: message can't be edited") }
        case nil:
            break
        }
        let chatID = (body["chat_id"] as? NSNumber)?.stringValue ?? (body["chat_id"] as? String) ?? ""
        guard !chatID.isEmpty else { return error(400, "Bad Request: chat_id is empty") }
        var buttons: [String] = []
        var buttonTexts: [String] = []
        if let markup = body["reply_markup"] as? [String: Any], let rows = markup["inline_keyboard"] as? [[Any]] {
            for case let button as [String: Any] in rows.joined() {
                let data = button["callback_data"] as? String ?? ""
                guard !data.isEmpty, data.utf8.count <= 64 else {
                    return error(400, "Bad Request: BUTTON_DATA_INVALID")
                }
                buttons.append(data)
                buttonTexts.append(button["text"] as? String ?? "")
            }
        }
        if method == "editMessageReplyMarkup" {
            return edit(body, chatID: chatID, text: nil, buttons: buttons)
        }
        guard let text = body["text"] as? String else { return error(400, "Bad Request: message text is empty") }
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
        if method == "editMessageText" {
            return edit(body, chatID: chatID, text: text, buttons: buttons)
        }
        let reply = body["reply_parameters"] as? [String: Any]
        let replyTo = reply?["message_id"] as? Int
        let withoutReply = reply?["allow_sending_without_reply"] as? Bool ?? false
        var message = Message(
            chatID: chatID, text: text, threadID: body["message_thread_id"] as? Int,
            silent: body["disable_notification"] as? Bool ?? false,
            previewDisabled: (body["link_preview_options"] as? [String: Any])?["is_disabled"] as? Bool ?? false)
        message.buttons = buttons
        message.buttonTexts = buttonTexts
        let answer = state.withLock { state -> StubResponse in
            if let replyTo, state.current[replyTo] == nil {
                guard withoutReply else { return error(400, "Bad Request: message to be replied not found") }
                message.replyTo = nil
            } else {
                message.replyTo = replyTo
            }
            state.nextMessageID += 1
            message.messageID = state.nextMessageID
            state.accepted.append(message)
            state.current[message.messageID] = (text, buttons)
            return .json(
                200,
                #"{"ok":true,"result":{"message_id":\#(message.messageID),"date":1800000000,"chat":{"id":\#(chatID)}}}"#
            )
        }
        return answer
    }

    /// `editMessageText` (a new text) or `editMessageReplyMarkup` (`text` nil): the
    /// message must exist and change.
    private func edit(_ body: [String: Any], chatID: String, text: String?, buttons: [String]) -> StubResponse {
        guard let id = body["message_id"] as? Int else {
            return error(400, "Bad Request: message identifier is not specified")
        }
        return state.withLock { state in
            guard let current = state.current[id] else { return error(400, "Bad Request: message to edit not found") }
            let newText = text ?? current.text
            guard current.text != newText || current.buttons != buttons else {
                return error(
                    400,
                    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
                )
            }
            state.current[id] = (newText, buttons)
            if let text { state.edits.append(Edit(messageID: id, text: text, keepsButtons: !buttons.isEmpty)) }
            return .json(200, #"{"ok":true,"result":{"message_id":\#(id),"date":1800000000,"chat":{"id":\#(chatID)}}}"#)
        }
    }

    /// Long polling as Telegram does it: `offset` confirms every earlier update; with
    /// none waiting, the answer waits up to `timeout` seconds for one.
    private func getUpdates(_ body: [String: Any]) async -> StubResponse {
        let offset = (body["offset"] as? NSNumber)?.int64Value
        let timeout = min(max((body["timeout"] as? Int) ?? 0, 0), 50)
        let limit = min(max((body["limit"] as? Int) ?? 100, 1), 100)
        let conflict = state.withLock { state -> Bool in
            state.pollTimeouts.append(timeout)
            state.offsets.append(offset)
            return state.conflict
        }
        if conflict {
            return error(
                409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
            )
        }
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            let batch = state.withLock { state -> [String] in
                if let offset { state.updates.removeAll { $0.id < offset } }
                return state.updates.prefix(limit).map(\.json)
            }
            if !batch.isEmpty || ContinuousClock.now >= deadline {
                return .json(200, #"{"ok":true,"result":[\#(batch.joined(separator: ","))]}"#)
            }
            try? await Task.sleep(for: .milliseconds(50))
            if state.withLock({ $0.conflict }) {
                return error(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
            }
        }
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
