/// Text from the outside world (container names, error strings, command lines) made
/// safe for a chat message: cut to a sane length, then escaped for the channel.
public enum ChannelText {
    /// Cuts `text` to at most `limit` characters, marking the cut with `…`.
    public static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// Escapes `& < >`: what Telegram's HTML mode and Slack's mrkdwn both require.
    public static func escapeMarkup(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Outside text on one line: newlines and other control characters become spaces.
    public static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? " " : $0 })
    }

    /// The usual treatment: one line, cut, escaped.
    public static func safe(_ text: String, limit: Int) -> String {
        escapeMarkup(cut(oneLine(text), to: limit))
    }
}
