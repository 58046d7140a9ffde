/// The last log lines of a container, from `GET /containers/{id}/logs` (SPEC §10.2).
///
/// Without a TTY the daemon multiplexes stdout and stderr: each frame is an 8-byte
/// header (stream 0, 1 or 2, three zero bytes, the payload's length big-endian) and its
/// payload. With a TTY the body is the raw stream. Pure and bounded: a truncated frame
/// ends the text, a header that is not one is read as raw text from there.
public enum DockerLogStream {
    /// The text of `body`, frames joined in order.
    public static func text(of body: [UInt8], tty: Bool) -> String {
        guard !tty else { return String(decoding: body, as: UTF8.self) }
        var payload: [UInt8] = []
        payload.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            guard body.count - index >= 8, body[index] <= 2, body[index + 1] == 0, body[index + 2] == 0,
                body[index + 3] == 0
            else {
                payload += body[index...]
                break
            }
            let length =
                Int(body[index + 4]) << 24 | Int(body[index + 5]) << 16 | Int(body[index + 6]) << 8
                | Int(body[index + 7])
            let start = index + 8
            let end = min(body.count, start + length)
            payload += body[start..<end]
            index = start + length
        }
        return String(decoding: payload, as: UTF8.self)
    }

    /// The last `lines` lines of `text`, at most `characters` characters (the end kept:
    /// the last lines say why it died), with every secret replaced.
    public static func tail(_ text: String, lines: Int, characters: Int = 1_000, secrets: [String]) -> String {
        var shown = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while shown.last?.isEmpty == true { shown.removeLast() }
        var kept = shown.suffix(max(0, lines)).joined(separator: "\n")
        for secret in secrets where !secret.isEmpty {
            kept = kept.replacing(secret, with: "<redacted>")
        }
        guard kept.count > characters else { return kept }
        return "…" + kept.suffix(max(0, characters - 1))
    }
}
