import FoundationEssentials
import FoundationGaps

/// ntfy's publish API (SPEC §5.1): a JSON message posted to the server's root, and how
/// to read its answers. Pure.
///
/// Errors are JSON: `{"code": 40301, "http": 403, "error": "forbidden"}`; a 429 is
/// `limit reached: too many requests` (ntfy names no wait: the outbox's backoff applies,
/// or `Retry-After` where a proxy in front adds one).
public enum NtfyAPI {
    public enum Verdict: Sendable, Equatable {
        case delivered(id: String?)
        case retry(reason: String, after: Double?)
        case rejected(reason: String)
    }

    /// ntfy's limit on a message: longer ones become attachments or are refused.
    public static let messageLimit = 4_096

    /// `{"topic", "title", "message", "priority", "tags"}`.
    public static func publishBody(topic: String, title: String, message: String, priority: Int, tags: [String])
        -> String
    {
        var object: [String: JSONValue] = [
            "topic": JSONValue(topic),
            "title": JSONValue(ChannelText.cut(title, to: 250)),
            "message": JSONValue(cutToBytes(message, limit: messageLimit - 96)),
            "priority": .integer(Int64(min(5, max(1, priority)))),
        ]
        if !tags.isEmpty { object["tags"] = .array(tags.map { JSONValue($0) }) }
        return JSONValue.object(object).encodedString
    }

    /// `text` cut at a character boundary to at most `limit` bytes of UTF-8.
    static func cutToBytes(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var cut = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            guard bytes + size + 3 <= limit else { break }
            cut.append(character)
            bytes += size
        }
        return cut + "…"
    }

    public static func classify(status: Int, body: [UInt8], retryAfterHeader: Double?) -> Verdict {
        let object = JSONValue.parse(body)
        if (200..<300).contains(status) { return .delivered(id: object?["id"]?.stringValue) }
        let said = object?["error"]?.stringValue.map { ChannelText.cut(ChannelText.oneLine($0), to: 200) }
        let code = object?["code"]?.numberText
        let reason = "HTTP \(status)" + (said.map { ": \($0)" } ?? "") + (code.map { " (\($0))" } ?? "")
        if status == 429 { return .retry(reason: reason, after: retryAfterHeader) }
        if status >= 500 || status == 408 { return .retry(reason: reason, after: nil) }
        return .rejected(reason: reason)
    }
}
