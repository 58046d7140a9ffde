import FoundationEssentials
import FoundationGaps

/// The Matrix client-server API as the channel uses it (SPEC §5.1): where to send and
/// look up, and how to read its answers. Pure.
///
/// Errors are JSON: `{"errcode": "M_FORBIDDEN", "error": "…"}`; a 429
/// (`M_LIMIT_EXCEEDED`) says how long to wait in `retry_after_ms`, honoured over the
/// `Retry-After` header.
public enum MatrixAPI {
    public enum Verdict: Sendable, Equatable {
        case delivered(eventID: String?)
        case retry(reason: String, after: Double?)
        case rejected(reason: String)
    }

    /// Path segments are encoded whole: a room id's `!` and `:` and an alias's `#`
    /// included, as the spec asks.
    static func segment(_ text: String) -> String {
        PercentEncoding.encode(text, keeping: Set("-._~".utf8))
    }

    /// `PUT …/rooms/{room}/send/m.room.message/{txn}`: the transaction id makes a
    /// retried send the same event.
    public static func sendURL(base: String, room: String, transaction: String) -> String {
        "\(base)/_matrix/client/v3/rooms/\(segment(room))/send/m.room.message/\(segment(transaction))"
    }

    /// `POST …/join/{room id or alias}`: joins (a member already: nothing changes) and
    /// answers the room id.
    public static func joinURL(base: String, room: String) -> String {
        "\(base)/_matrix/client/v3/join/\(segment(room))"
    }

    /// `GET …/rooms/{room}/state/m.room.encryption/`: 200 when the room is encrypted.
    public static func encryptionURL(base: String, room: String) -> String {
        "\(base)/_matrix/client/v3/rooms/\(segment(room))/state/m.room.encryption/"
    }

    public static func classify(status: Int, body: [UInt8], retryAfterHeader: Double?) -> Verdict {
        let object = JSONValue.parse(body)
        if (200..<300).contains(status) {
            return .delivered(eventID: object?["event_id"]?.stringValue)
        }
        let code = object?["errcode"]?.stringValue.map { ChannelText.cut($0, to: 60) }
        let said = object?["error"]?.stringValue.map { ChannelText.cut(ChannelText.oneLine($0), to: 200) }
        let reason = "HTTP \(status)" + (code.map { " \($0)" } ?? "") + (said.map { ": \($0)" } ?? "")
        if status == 429 || code == "M_LIMIT_EXCEEDED" {
            let milliseconds = object?["retry_after_ms"]?.doubleValue.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
            return .retry(reason: reason, after: milliseconds.map { $0 / 1000 } ?? retryAfterHeader)
        }
        if status >= 500 || status == 408 { return .retry(reason: reason, after: nil) }
        return .rejected(reason: reason)
    }
}
