import Digests
import FoundationEssentials
import FoundationGaps
import Notify

/// The secret Ack links are signed with: 32 random bytes, kept in the state file.
public struct AckSecret: Sendable, Codable, Equatable, CustomStringConvertible {
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// 256 bits from the system's generator (`getrandom`).
    public static func random() -> AckSecret {
        var generator = SystemRandomNumberGenerator()
        return AckSecret(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bytes = Base64URL.decode(text), bytes.count == 32 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not 32 bytes"))
        }
        self.bytes = bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Base64URL.encode(bytes))
    }

    /// Never the bytes: a log line or a dump of a configuration must not show it.
    public var description: String { "AckSecret(redacted)" }
}

/// The Ack link of one problem of one key (SPEC §4.3): `/ack/{capability}` where the
/// capability is the problem (`key@start`, readable) and an HMAC-SHA256 over it under
/// the secret, cut to 128 bits. Only the watchdog can make one; it names one fire of one
/// key, so the link of an earlier problem of the same key does not acknowledge this one.
/// Nothing needs to be stored per link: whether it is used or expired is read from the
/// key's state when it is presented.
public struct AckLink: Sendable, Equatable {
    public let key: SignalKey
    /// When the problem started, in whole seconds: which fire of the key it names.
    public let started: Int64

    /// Bounds on what is read from a request path.
    static let maximumCapabilityLength = 800
    static let macBytes = 16

    public init(key: SignalKey, started: Int64) {
        self.key = key
        self.started = started
    }

    var payload: String { "\(key)@\(started)" }

    /// `<payload, base64url>.<mac, base64url>`.
    func capability(secret: AckSecret) -> String {
        Base64URL.encode(Array(payload.utf8)) + "." + Self.mac(payload, secret: secret)
    }

    /// The link for people's devices: `WATCHDOG_PUBLIC_URL` + `/ack/` + capability.
    func url(base: String, secret: AckSecret) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/ack/" + capability(secret: secret)
    }

    static func mac(_ payload: String, secret: AckSecret) -> String {
        let code = HMACSHA256.code(for: "watchdog-ack\u{0}\(payload)".utf8, key: secret.bytes)
        return Base64URL.encode(Array(code.prefix(macBytes)))
    }

    /// The link a capability stands for, when the secret signed it; nil for anything else
    /// (never issued, forged, cut, or too long), told apart in constant time.
    static func verified(_ capability: String, secret: AckSecret) -> AckLink? {
        guard capability.utf8.count <= maximumCapabilityLength else { return nil }
        let parts = capability.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payloadBytes = Base64URL.decode(String(parts[0])) else { return nil }
        let payload = String(decoding: payloadBytes, as: UTF8.self)
        guard Endpoint.constantTimeEqual(String(parts[1]), mac(payload, secret: secret)) else { return nil }
        guard let at = payload.lastIndex(of: "@"), let started = Int64(payload[payload.index(after: at)...]),
            let key = SignalKey(parsing: String(payload[..<at]))
        else { return nil }
        return AckLink(key: key, started: started)
    }
}

/// Base64 with the URL alphabet and no padding (RFC 4648 §5): safe in a path. Foundation's
/// base64 with two letters swapped and the padding dropped.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        String(
            Data(bytes).base64EncodedString().compactMap { character -> Character? in
                switch character {
                case "+": "-"
                case "/": "_"
                case "=": nil
                default: character
                }
            })
    }

    /// nil for a character outside the alphabet, an impossible length, or bits left over
    /// in the last character: one text per byte string, so no two capabilities are one.
    static func decode(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        let standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        let padded = standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { return nil }
        let bytes = [UInt8](data)
        return encode(bytes) == text ? bytes : nil
    }
}
