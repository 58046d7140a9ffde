/// Parsers for the value types of SPEC §2. Pure and total: each returns nil for text it
/// does not accept, and the caller turns that into an error naming the variable.
public enum ConfigValueParser {
    /// Longest accepted duration; longer is certainly a typo and would overflow timers.
    static let longestDuration = 366.0 * 86_400

    /// `45`, `45s`, `15m`, `2h`, `1d`, `250ms`, decimals allowed (`1.5h`). A bare number
    /// is multiplied by `bareUnitSeconds`.
    public static func duration(_ text: String, bareUnitSeconds: Double) -> Duration? {
        let value = text.trimmingSpaces().lowercased()
        let numberEnd = value.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? value.endIndex
        let number = value[..<numberEnd]
        let unit = value[numberEnd...].trimmingSpaces()
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number.first != ".",
            number.last != ".", let amount = Double(number)
        else { return nil }
        let scale: Double
        switch unit {
        case "": scale = bareUnitSeconds
        case "ms": scale = 0.001
        case "s", "sec": scale = 1
        case "m", "min": scale = 60
        case "h": scale = 3_600
        case "d": scale = 86_400
        default: return nil
        }
        let seconds = amount * scale
        guard seconds.isFinite, seconds <= longestDuration else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    public static func flag(_ text: String) -> Bool? {
        switch text.trimmingSpaces().lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }

    /// `0`–`100`, decimals allowed, an optional trailing `%`.
    public static func percent(_ text: String) -> Double? {
        var value = text.trimmingSpaces()
        if value.hasSuffix("%") { value.removeLast() }
        guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let number = Double(value), number >= 0, number <= 100
        else { return nil }
        return number
    }

    public static func count(_ text: String, in range: ClosedRange<Int>) -> Int? {
        guard let number = Int(text.trimmingSpaces()), range.contains(number) else { return nil }
        return number
    }

    /// Comma-separated, blanks trimmed, empty items ignored.
    public static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// `host:port` or `[v6]:port`; nil for anything else (callers handle `off` first).
    public static func listenAddress(_ text: String) -> ListenAddress? {
        let value = text.trimmingSpaces()
        let host: Substring
        let portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"),
                value[value.index(after: close)...].hasPrefix(":")
            else { return nil }
            host = value[value.index(after: value.startIndex)..<close]
            portText = value[value.index(close, offsetBy: 2)...]
        } else {
            guard let colon = value.lastIndex(of: ":"), !value[..<colon].contains(":") else {
                return nil
            }
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }),
            let port = Int(portText), (1...65_535).contains(port)
        else { return nil }
        return ListenAddress(host: String(host), port: port)
    }

    /// An absolute `http://` or `https://` URL with a host.
    public static func httpURL(_ text: String) -> String? {
        let value = text.trimmingSpaces()
        let lower = value.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        let afterScheme = value.drop { $0 != ":" }.dropFirst(3)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last ?? ""
        guard !host.isEmpty, !value.contains(where: { $0 == " " || $0.isNewline }) else {
            return nil
        }
        return value
    }
}

/// Where the HTTP endpoint listens.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Loopback only: 127.0.0.0/8, ::1, localhost.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
