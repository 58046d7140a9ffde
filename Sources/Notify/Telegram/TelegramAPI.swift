import FoundationEssentials
import FoundationGaps

/// The Bot API's `sendMessage`: building the request and reading the answer. Pure.
public enum TelegramAPI {
    public enum Verdict: Sendable, Equatable {
        case delivered
        /// Delivered as this `message_id`.
        case deliveredAs(String)
        case retry(reason: String, after: Double?)
        /// The group became a supergroup: send to this chat id instead.
        case migrate(to: String)
        case rejected(reason: String)
    }

    /// An inline keyboard button: its label and the `callback_data` a press sends back.
    public struct Button: Sendable, Equatable {
        public let text: String
        public let data: String

        public init(text: String, data: String) {
            self.text = text
            self.data = data
        }
    }

    public static func sendMessageBody(
        chatID: String, threadID: Int?, text: String, silent: Bool, replyTo: String? = nil, buttons: [Button] = []
    ) -> [UInt8] {
        var object: [String: JSONValue] = [
            "chat_id": chatIDValue(chatID),
            "text": JSONValue(text),
            "parse_mode": "HTML",
            "link_preview_options": ["is_disabled": true],
            "disable_notification": JSONValue(silent),
        ]
        if let threadID { object["message_thread_id"] = JSONValue(threadID) }
        if let replyTo, let messageID = Int64(replyTo) {
            // A fire message someone deleted must not keep its resolve from arriving.
            object["reply_parameters"] = ["message_id": JSONValue(messageID), "allow_sending_without_reply": true]
        }
        if !buttons.isEmpty { object["reply_markup"] = keyboard(buttons) }
        return JSONValue.object(object).encoded
    }

    /// `editMessageText`: the message's new text; without `reply_markup` its buttons go.
    public static func editMessageTextBody(
        chatID: String, messageID: String, text: String, buttons: [Button] = []
    ) -> [UInt8] {
        var object: [String: JSONValue] = [
            "chat_id": chatIDValue(chatID),
            "message_id": JSONValue(Int64(messageID) ?? 0),
            "text": JSONValue(text),
            "parse_mode": "HTML",
            "link_preview_options": ["is_disabled": true],
        ]
        if !buttons.isEmpty { object["reply_markup"] = keyboard(buttons) }
        return JSONValue.object(object).encoded
    }

    /// `getUpdates` as a long poll (SPEC §13): messages and button presses only. At most
    /// 20 updates a call: even of 4096-character texts they stay well within the 1 MiB
    /// an answer may have, so no batch can be too large to ever read.
    public static func getUpdatesBody(offset: Int64?, timeout: Int, limit: Int = 20) -> [UInt8] {
        var object: [String: JSONValue] = [
            "timeout": JSONValue(timeout), "limit": JSONValue(limit), "allowed_updates": ["message", "callback_query"],
        ]
        if let offset { object["offset"] = JSONValue(offset) }
        return JSONValue.object(object).encoded
    }

    /// `answerCallbackQuery`: the short toast a button press gets.
    public static func answerCallbackQueryBody(id: String, text: String) -> [UInt8] {
        JSONValue.object(["callback_query_id": JSONValue(id), "text": JSONValue(ChannelText.cut(text, to: 190))])
            .encoded
    }

    static func keyboard(_ buttons: [Button]) -> JSONValue {
        [
            "inline_keyboard": [
                .array(buttons.map { ["text": JSONValue($0.text), "callback_data": JSONValue($0.data)] })
            ]
        ]
    }

    /// Numeric ids go as numbers, `@channelname` as a string.
    static func chatIDValue(_ chatID: String) -> JSONValue {
        Int64(chatID).map(JSONValue.integer) ?? JSONValue(chatID)
    }

    /// Classifies an answer: `{"ok":true,...}`, or `{"ok":false,"error_code":…,
    /// "description":…,"parameters":{"retry_after"|"migrate_to_chat_id":…}}`.
    public static func classify(status: Int, body: [UInt8]) -> Verdict {
        let object = JSONValue.parse(body)
        let ok = object?["ok"]?.boolValue
        if (200..<300).contains(status), ok == true {
            let messageID = object?["result"]?["message_id"]?.numberText
            return messageID.map { .deliveredAs($0) } ?? .delivered
        }
        let description = object?["description"]?.stringValue.map { ChannelText.cut($0, to: 300) }
        // An edit that changes nothing (a retry of one that went through) did its job.
        if description?.contains("message is not modified") == true { return .delivered }
        let parameters = object?["parameters"]
        if let migrated = parameters?["migrate_to_chat_id"] {
            if let number = migrated.numberText { return .migrate(to: number) }
            if let text = migrated.stringValue { return .migrate(to: text) }
        }
        let code = object?["error_code"]?.intValue ?? status
        let reason =
            "HTTP \(status): " + (description ?? ChannelText.cut(String(decoding: body, as: UTF8.self), to: 200))
        if code == 429 || status == 429 {
            let after = parameters?["retry_after"]?.doubleValue
            return .retry(reason: reason, after: after)
        }
        if status >= 500 || code >= 500 { return .retry(reason: reason, after: nil) }
        if (200..<300).contains(status) {
            // A 2xx without {"ok":true} is not Telegram (a proxy page, say): try again.
            return .retry(reason: "unexpected answer: \(reason)", after: nil)
        }
        return .rejected(reason: reason)
    }
}
