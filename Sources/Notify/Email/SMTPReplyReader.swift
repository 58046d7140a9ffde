import FoundationEssentials

/// Reads SMTP replies out of the bytes a server sends (RFC 5321 §4.2): `250-…`
/// continuation lines up to the `250 …` that ends a reply. Bounded: a line longer than
/// `lineLimit` or a reply of more than `lineCountLimit` lines is an error, never a
/// growing buffer. Pure; fed whatever arrived, it returns the replies complete so far.
public struct SMTPReplyReader: Sendable {
    /// RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; this leaves room for servers
    /// that say more.
    public static let lineLimit = 2_048
    public static let lineCountLimit = 128

    public enum ReadError: Error, Equatable, CustomStringConvertible {
        case lineTooLong
        case tooManyLines
        case malformed(String)

        public var description: String {
            switch self {
            case .lineTooLong: "the server sent a reply line longer than \(SMTPReplyReader.lineLimit) bytes"
            case .tooManyLines: "the server sent a reply of more than \(SMTPReplyReader.lineCountLimit) lines"
            case .malformed(let line): "the server sent a line that is no SMTP reply: \(line)"
            }
        }
    }

    private var pending: [UInt8] = []
    private var lines: [String] = []
    private var code: Int?

    public init() {}

    /// Nothing read that is not yet a whole reply.
    public var isEmpty: Bool { pending.isEmpty && lines.isEmpty }

    /// Takes `bytes` and returns every reply they complete.
    public mutating func read(_ bytes: some Sequence<UInt8>) throws(ReadError) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                if let reply = try line(pending) { replies.append(reply) }
                pending.removeAll(keepingCapacity: true)
            } else {
                guard pending.count < Self.lineLimit else { throw .lineTooLong }
                pending.append(byte)
            }
        }
        return replies
    }

    private mutating func line(_ bytes: [UInt8]) throws(ReadError) -> SMTPReply? {
        let text = String(decoding: bytes, as: UTF8.self)
        let digits = bytes.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(String(decoding: digits, as: UTF8.self)), (200...599).contains(value)
        else { throw .malformed(ChannelText.cut(text, to: 80)) }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw .malformed(ChannelText.cut(text, to: 80))
        }
        if let code, code != value { throw .malformed(ChannelText.cut(text, to: 80)) }
        code = value
        guard lines.count < Self.lineCountLimit else { throw .tooManyLines }
        lines.append(bytes.count > 4 ? String(text.dropFirst(4)) : "")
        guard separator == UInt8(ascii: " ") else { return nil }
        defer {
            lines = []
            code = nil
        }
        return SMTPReply(code: value, lines: lines)
    }
}
