import Foundation

/// The Bot API's `sendMessage`: building the request and reading the answer. Pure.
public enum TelegramAPI {
    public enum Verdict: Sendable, Equatable {
        case delivered
        case retry(reason: String, after: Double?)
        /// The group became a supergroup: send to this chat id instead.
        case migrate(to: String)
        case rejected(reason: String)
    }

    public static func sendMessageBody(chatID: String, threadID: Int?, text: String, silent: Bool) -> [UInt8] {
        var object: [String: Any] = [
            "chat_id": chatIDValue(chatID),
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": ["is_disabled": true],
            "disable_notification": silent,
        ]
        if let threadID { object["message_thread_id"] = threadID }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Array(data)
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
        if (200..<300).contains(status), ok == true { return .delivered }
        let description = (object?["description"] as? String).map { ChannelText.cut($0, to: 300) }
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
