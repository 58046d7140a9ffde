/// Percent-encoding for the parts of a URL the watchdog builds (a query value, a path
/// segment, a unix socket's path as the host of `http+unix://`). Foundation's
/// `addingPercentEncoding` is not in FoundationEssentials; this is the RFC 3986 rule:
/// every byte of the UTF-8 form that is not an unreserved ASCII character, or one of
/// `extra`, becomes `%XX`.
public enum PercentEncoding {
    /// RFC 3986 sub-delimiters, allowed in a host (`reg-name`).
    public static let hostExtra: Set<UInt8> = Set("!$&'()*+,;=".utf8)

    /// `extra`: ASCII bytes kept as they are besides letters and digits.
    public static func encode(_ text: String, keeping extra: Set<UInt8> = []) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if isAlphanumeric(byte) || extra.contains(byte) {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hex[Int(byte >> 4)])
                encoded.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// A unix socket's path as the host of an `http+unix://` URL.
    public static func socketHost(_ path: String) -> String {
        encode(path, keeping: Set("-._~".utf8).union(hostExtra))
    }

    /// Foundation's `removingPercentEncoding`: every `%XX` made its byte; nil when a `%`
    /// is not followed by two hex digits or the bytes are not UTF-8. A `+` stays a `+`.
    public static func decode(_ text: some StringProtocol) -> String? {
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                decoded.append(bytes[index])
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            else { return nil }
            decoded.append(high << 4 | low)
            index += 3
        }
        return String(validating: decoded, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }
}
