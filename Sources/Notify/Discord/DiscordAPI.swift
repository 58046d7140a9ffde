import FoundationEssentials
import FoundationGaps

/// Discord's webhook API (SPEC §5.1): where to post and edit, and how to read its
/// answers. Pure.
///
/// A post with `?wait=true` answers the message (its `id` is kept, so the resolve can
/// edit the fire). Errors are JSON: `{"message": "Unknown Webhook", "code": 10015}`; a
/// 429 says how long to wait in its body (`retry_after`, seconds, fractions allowed),
/// which is honoured over the `Retry-After` header.
public enum DiscordAPI {
    public enum Verdict: Sendable, Equatable {
        case delivered(id: String?)
        case retry(reason: String, after: Double?)
        case rejected(reason: String)
    }

    /// `…/webhooks/ID/TOKEN?wait=true[&thread_id=…]`.
    public static func postURL(base: String, id: String, token: String, threadID: String?) -> String {
        "\(base)/webhooks/\(PercentEncoding.encode(id))/\(PercentEncoding.encode(token, keeping: Set("-._~".utf8)))"
            + "?wait=true" + (threadID.map { "&thread_id=\(PercentEncoding.encode($0))" } ?? "")
    }

    /// `…/webhooks/ID/TOKEN/messages/MESSAGE[?thread_id=…]`.
    public static func editURL(base: String, id: String, token: String, message: String, threadID: String?)
        -> String
    {
        "\(base)/webhooks/\(PercentEncoding.encode(id))/\(PercentEncoding.encode(token, keeping: Set("-._~".utf8)))"
            + "/messages/\(PercentEncoding.encode(message))"
            + (threadID.map { "?thread_id=\(PercentEncoding.encode($0))" } ?? "")
    }

    /// `retryAfterHeader`: the answer's `Retry-After`, used when the body names no wait.
    public static func classify(status: Int, body: [UInt8], retryAfterHeader: Double?) -> Verdict {
        let object = JSONValue.parse(body)
        if (200..<300).contains(status) {
            return .delivered(id: object?["id"]?.stringValue)
        }
        let said = object?["message"]?.stringValue.map { ChannelText.cut(ChannelText.oneLine($0), to: 200) }
        let code = object?["code"]?.numberText
        let reason =
            "HTTP \(status)" + (said.map { ": \($0)" } ?? "") + (code.flatMap { $0 == "0" ? nil : " (\($0))" } ?? "")
        if status == 429 {
            let wait = object?["retry_after"]?.doubleValue.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
            return .retry(reason: reason, after: wait ?? retryAfterHeader)
        }
        if status >= 500 || status == 408 { return .retry(reason: reason, after: nil) }
        return .rejected(reason: reason)
    }
}
