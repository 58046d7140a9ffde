import Foundation

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
        var object: [String: Any] = [
            "chat_id": chatIDValue(chatID),
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": ["is_disabled": true],
            "disable_notification": silent,
        ]
        if let threadID { object["message_thread_id"] = threadID }
        if let replyTo, let messageID = Int64(replyTo) {
            // A fire message someone deleted must not keep its resolve from arriving.
            object["reply_parameters"] = ["message_id": messageID, "allow_sending_without_reply": true]
        }
        if !buttons.isEmpty { object["reply_markup"] = keyboard(buttons) }
        return json(object)
    }

    /// `editMessageText`: the message's new text; without `reply_markup` its buttons go.
    public static func editMessageTextBody(chatID: String, messageID: String, text: String) -> [UInt8] {
        json([
            "chat_id": chatIDValue(chatID),
            "message_id": Int64(messageID) ?? 0,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": ["is_disabled": true],
        ])
    }

    /// `getUpdates` as a long poll (SPEC §13): messages and button presses only. At most
    /// 20 updates a call: even of 4096-character texts they stay well within the 1 MiB
    /// an answer may have, so no batch can be too large to ever read.
    public static func getUpdatesBody(offset: Int64?, timeout: Int, limit: Int = 20) -> [UInt8] {
        var object: [String: Any] = [
            "timeout": timeout, "limit": limit, "allowed_updates": ["message", "callback_query"],
        ]
        if let offset { object["offset"] = offset }
        return json(object)
    }

    /// `answerCallbackQuery`: the short toast a button press gets.
    public static func answerCallbackQueryBody(id: String, text: String) -> [UInt8] {
        json(["callback_query_id": id, "text": ChannelText.cut(text, to: 190)])
    }

    static func keyboard(_ buttons: [Button]) -> [String: Any] {
        ["inline_keyboard": [buttons.map { ["text": $0.text, "callback_data": $0.data] }]]
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    /// Numeric ids go as numbers, `@channelname` as a string.
    static func chatIDValue(_ chatID: String) -> Any {
        Int64(chatID).map { $0 as Any } ?? chatID
    }

    /// Classifies an answer: `{"ok":true,...}`, or `{"ok":false,"error_code":…,
    /// "description":…,"parameters":{"retry_after"|"migrate_to_chat_id":…}}`.
    public static func classify(status: Int, body: [UInt8]) -> Verdict {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let ok = object?["ok"] as? Bool
        if (200..<300).contains(status), ok == true {
            let messageID = (object?["result"] as? [String: Any])?["message_id"] as? NSNumber
            return messageID.map { .deliveredAs($0.stringValue) } ?? .delivered
        }
        let description = (object?["description"] as? String).map { ChannelText.cut($0, to: 300) }
        // An edit that changes nothing (a retry of one that went through) did its job.
        if description?.contains("message is not modified") == true { return .delivered }
        let parameters = object?["parameters"] as? [String: Any]
        if let migrated = parameters?["migrate_to_chat_id"] {
            if let number = migrated as? NSNumber { return .migrate(to: number.stringValue) }
            if let text = migrated as? String { return .migrate(to: text) }
        }
        let code = (object?["error_code"] as? Int) ?? status
        let reason =
            "HTTP \(status): " + (description ?? ChannelText.cut(String(decoding: body, as: UTF8.self), to: 200))
        if code == 429 || status == 429 {
            let after = (parameters?["retry_after"] as? NSNumber)?.doubleValue
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
