import FoundationEssentials
import FoundationGaps

/// Slack's Web API `chat.postMessage` and `chat.update`: building the requests and
/// reading the answers. Pure.
///
/// Slack answers most errors with HTTP 200 and `{"ok":false,"error":"<word>"}`; the
/// word decides: `ratelimited` and Slack's own troubles are worth another try, the rest
/// (`not_in_channel`, `channel_not_found`, `invalid_auth`, `message_not_found`, ...)
/// are not. A 429 carries `Retry-After`, honoured exactly.
public enum SlackWebAPI {
    public enum Verdict: Sendable, Equatable {
        /// Delivered; `ts` names the message (nil when the answer did not).
        case delivered(ts: String?)
        case retry(reason: String, after: Double?)
        case rejected(reason: String)
    }

    /// Error words that mean "later": Slack's side, not the request.
    static let transientErrors: Set<String> = [
        "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
    ]

    public static func postMessageBody(channel: String, text: String, threadTS: String?) -> [UInt8] {
        var object: [String: JSONValue] = [
            "channel": JSONValue(channel), "text": JSONValue(text), "unfurl_links": false, "unfurl_media": false,
        ]
        if let threadTS { object["thread_ts"] = JSONValue(threadTS) }
        return JSONValue.object(object).encoded
    }

    public static func updateBody(channel: String, ts: String, text: String) -> [UInt8] {
        JSONValue.object(["channel": JSONValue(channel), "ts": JSONValue(ts), "text": JSONValue(text)]).encoded
    }

    /// Classifies an answer; `retryAfter` is the answer's `Retry-After`, in seconds.
    public static func classify(status: Int, body: [UInt8], retryAfter: Double?) -> Verdict {
        let object = JSONValue.parse(body)
        let word = object?["error"]?.stringValue.map { ChannelText.cut(ChannelText.oneLine($0), to: 100) }
        let reason = "HTTP \(status)" + (word.map { ": \($0)" } ?? "")
        if status == 429 { return .retry(reason: reason, after: retryAfter) }
        if status >= 500 || status == 408 { return .retry(reason: reason, after: nil) }
        guard (200..<300).contains(status) else { return .rejected(reason: reason) }
        if object?["ok"]?.boolValue == true { return .delivered(ts: object?["ts"]?.stringValue) }
        guard let word else {
            // A 2xx that is not Slack's JSON (a proxy's page): try again.
            return .retry(reason: "unexpected answer: \(reason)", after: nil)
        }
        if transientErrors.contains(word) { return .retry(reason: reason, after: retryAfter) }
        return .rejected(reason: reason)
    }
}
