import FoundationEssentials
import FoundationGaps

/// ntfy's publish API (SPEC §5.1): a JSON message posted to the server's root. Pure.
public enum NtfyAPI {
    /// ntfy's limit on a message: longer ones become attachments or are refused.
    public static let messageLimit = 4_096

    /// `{"topic", "title", "message", "priority", "tags"}`.
    public static func publishBody(
        topic: String, title: String, message: String, priority: Int, tags: [String], ackLink: String? = nil,
        ackLabel: String = "Ack"
    ) -> String {
        var object: [String: JSONValue] = [
            "topic": JSONValue(topic),
            "title": JSONValue(ChannelText.cut(title, to: 250)),
            "message": JSONValue(cutToBytes(message, limit: messageLimit - 96)),
            "priority": .integer(Int64(min(5, max(1, priority)))),
        ]
        if !tags.isEmpty { object["tags"] = .array(tags.map { JSONValue($0) }) }
        if let ackLink {
            // An `http` action: the ntfy app sends the POST itself, one tap, and clears
            // the notification once it is answered (SPEC §4.3).
            object["actions"] = [
                [
                    "action": "http", "label": JSONValue(ackLabel), "url": JSONValue(ackLink), "method": "POST",
                    "clear": true,
                ]
            ]
        }
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
}
