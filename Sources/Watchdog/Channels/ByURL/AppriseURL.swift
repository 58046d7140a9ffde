import FoundationEssentials
import FoundationGaps

/// A channel URL in Apprise's syntax (SPEC §5.1), split the way Apprise splits it, so a
/// URL a self-hoster already uses with Apprise means the same here:
/// `scheme://user:password@host:port/segment/segment?key=value&key=value`.
///
/// As in Apprise: `/#` is a path segment starting with `#` (a Matrix room alias), not a
/// fragment; the authority ends at the first `/`; the first `@` separates the user part,
/// the first `:` in it the password; path segments are separated by `/`, `,` or blanks
/// and empty ones dropped; query keys are lower-cased, values kept as written (a `+`
/// stays a `+`: tokens use it), both percent-decoded; `?user=` and `?pass=` (or
/// `?password=`) override the user part. Parsing is pure and bounded; an error never
/// quotes the URL, which holds secrets.
public struct AppriseURL: Sendable, Equatable {
    /// Lower-cased, without `://`.
    public var scheme: String
    public var user: String?
    public var password: String?
    /// As written (not lower-cased: for some schemes it is an id or a token).
    public var host: String
    public var port: Int?
    public var path: [String]
    /// Keys lower-cased; a key given twice keeps its last value.
    public var query: [String: String]

    /// The longest URL read: far beyond any real one, small enough to parse at once.
    public static let maximumLength = 4096

    /// Whether the scheme ends in `s` (`ntfys`, `mailtos`, `jsons`): TLS, as Apprise reads it.
    public var isSecure: Bool { scheme.hasSuffix("s") }

    public init(
        scheme: String, user: String? = nil, password: String? = nil, host: String, port: Int? = nil,
        path: [String] = [], query: [String: String] = [:]
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    public static func parse(_ text: String) throws(ChannelURLError) -> AppriseURL {
        guard text.utf8.count <= maximumLength else { throw .tooLong(limit: maximumLength) }
        let trimmed = text.trimmingWhitespaceAndNewlines()
        guard let separator = trimmed.firstRange(of: "://") else { throw .noScheme }
        let scheme = String(trimmed[..<separator.lowerBound]).lowercased()
        guard !scheme.isEmpty, scheme.utf8.allSatisfy(isSchemeByte) else { throw .noScheme }
        var rest = String(trimmed[separator.upperBound...]).replacing("/#", with: "/%23")

        var queryText = ""
        if let mark = rest.firstIndex(of: "?") {
            queryText = String(rest[rest.index(after: mark)...])
            rest = String(rest[..<mark])
        }
        // A `#` left over (not after a `/`) starts a fragment, as in any URL.
        if let hash = rest.firstIndex(of: "#") { rest = String(rest[..<hash]) }

        let authority: Substring
        let pathText: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            pathText = rest[slash...]
        } else {
            authority = rest[...]
            pathText = ""
        }

        var user: String?
        var password: String?
        var hostPart = authority
        if let at = authority.firstIndex(of: "@") {
            let userPart = authority[..<at]
            let afterAt = authority[authority.index(after: at)...]
            hostPart = afterAt.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if let colon = userPart.firstIndex(of: ":") {
                user = try decode(userPart[..<colon])
                let passwordPart = userPart[userPart.index(after: colon)...]
                password = try decode(passwordPart.split(separator: ":", omittingEmptySubsequences: false).first ?? "")
            } else {
                user = try decode(userPart)
            }
        }

        var port: Int?
        var host = hostPart
        if let colon = hostPart.lastIndex(of: ":"), !hostPart.hasSuffix("]") {
            let portText = hostPart[hostPart.index(after: colon)...]
            host = hostPart[..<colon]
            guard !portText.isEmpty else { throw .badPort }
            guard let number = Int(portText), (1...65_535).contains(number) else { throw .badPort }
            port = number
        }

        var segments: [String] = []
        for piece in pathText.split(whereSeparator: { $0 == "/" || $0 == "," || $0 == "\\" || $0.isWhitespace }) {
            let segment = try decode(piece)
            if !segment.isEmpty { segments.append(segment) }
        }

        var query: [String: String] = [:]
        for pair in queryText.split(whereSeparator: { $0 == "&" || $0 == ";" }) where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decode(parts[0]).trimmingWhitespaceAndNewlines().lowercased()
            guard !key.isEmpty else { continue }
            query[key] = parts.count > 1 ? try decode(parts[1]).trimmingWhitespaceAndNewlines() : ""
        }
        if let value = query["user"] { user = value }
        if let value = query["password"] ?? query["pass"] { password = value }

        return AppriseURL(
            scheme: scheme, user: user.flatMap { $0.isEmpty ? nil : $0 },
            password: password.flatMap { $0.isEmpty ? nil : $0 }, host: try decode(host), port: port,
            path: segments, query: query)
    }

    /// The server the URL names, over HTTP: `https://host:port` for a scheme ending in
    /// `s`, `http://…` otherwise (an IPv6 host in brackets), then `segments`,
    /// percent-encoded.
    public func httpURL(path segments: [String]) -> String {
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let encoded = segments.map { "/" + PercentEncoding.encode($0, keeping: Set("-._~:@!$&'()*+=".utf8)) }
        return (isSecure ? "https://" : "http://") + shownHost + (port.map { ":\($0)" } ?? "") + encoded.joined()
    }

    /// A query value read as Apprise reads a boolean (`yes`, `true`, `1`, `on`, ...);
    /// `fallback` when absent or not a boolean.
    public func flag(_ key: String, default fallback: Bool) -> Bool {
        guard let value = query[key]?.lowercased() else { return fallback }
        if ["yes", "true", "1", "on", "y", "enable", "enabled", "allow"].contains(value) { return true }
        if ["no", "false", "0", "off", "n", "disable", "disabled", "deny", "never"].contains(value) { return false }
        return fallback
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func decode(_ text: some StringProtocol) throws(ChannelURLError) -> String {
        guard let decoded = PercentEncoding.decode(text) else { throw .badPercentEncoding }
        return decoded
    }
}

/// Why a channel URL was refused. Never carries the URL or a part of it: it holds secrets.
public enum ChannelURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLong(limit: Int)
    case noScheme
    case unknownScheme(String)
    case badPort
    case badPercentEncoding
    /// A part the scheme needs is missing or malformed: `what` names the part, never its value.
    case missing(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .tooLong(let limit): "the URL is longer than \(limit) bytes"
        case .noScheme: "not a URL: expected scheme://… (Apprise's syntax)"
        case .unknownScheme(let scheme):
            "unknown scheme \(scheme.prefix(20))://; known: \(URLChannelCatalog.schemeList)"
        case .badPort: "the port is not a number from 1 to 65535"
        case .badPercentEncoding: "a % in the URL is not followed by two hex digits of UTF-8"
        case .missing(let what): "the URL lacks \(what)"
        case .invalid(let what): "the URL's \(what) is not valid"
        }
    }
}
