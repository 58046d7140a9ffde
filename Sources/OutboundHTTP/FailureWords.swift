#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Words for failures an operator reads in chat and on the terminal: what went wrong and
/// with which host, never a Swift type name or a URL's path.
public enum FailureWords {
    /// The host and port a request went to: safe to show (no path, no user part).
    public struct Target: Sendable, Equatable, CustomStringConvertible {
        public let host: String
        public let port: Int?

        public init(host: String, port: Int?) {
            self.host = host
            self.port = port
        }

        public var description: String {
            guard let port else { return host }
            return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// `host:port` of an `http(s)://` URL, the scheme's port when none is written; nil for
    /// a Unix socket (`http+unix://`) or what does not look like a URL.
    public static func target(ofURL url: String) -> Target? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let defaultPort: Int
        switch scheme {
        case "http", "ws": defaultPort = 80
        case "https", "wss": defaultPort = 443
        default: return nil
        }
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty, authority.count <= 300 else { return nil }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            let port = rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil
            return Target(host: host, port: port ?? defaultPort)
        }
        if let colon = authority.lastIndex(of: ":") {
            let port = Int(authority[authority.index(after: colon)...])
            return Target(host: String(authority[..<colon]), port: port ?? defaultPort)
        }
        return Target(host: String(authority), port: defaultPort)
    }

    /// A system call's failure: the C library's words for `errno`, and where.
    static func systemError(_ code: Int32, target: Target?) -> String {
        let words = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        let lowered = words.prefix(1).lowercased() + words.dropFirst()
        return target.map { "\(lowered) (\($0))" } ?? lowered
    }

    /// A TLS failure in words: BoringSSL's reason (`CERTIFICATE_VERIFY_FAILED`) and the
    /// cases an operator meets most, explained.
    static func tls(_ text: String) -> String {
        if text.contains("CERTIFICATE_VERIFY_FAILED") { return "the server's certificate is not trusted" }
        if text.contains("failedToValidateHostname") { return "the server's certificate is not for this host name" }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") {
            return "the server does not speak TLS on this port"
        }
        if text.contains("uncleanShutdown") { return "the server closed the connection during the TLS handshake" }
        // BoringSSL's "error:1000007d:SSL routines:OPENSSL_internal:REASON_NAME".
        if let reason = text.split(separator: ":").last.map({ $0.prefix { $0.isLetter || $0 == "_" } }),
            reason.count > 3, reason.allSatisfy({ $0.isUppercase || $0 == "_" })
        {
            return "handshake failed (" + reason.lowercased().replacing("_", with: " ") + ")"
        }
        return "handshake failed"
    }

    /// A JSON document that did not decode: where, and the decoder's own sentence.
    public static func decoding(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        var missing = ""
        switch error {
        case .typeMismatch(_, let found), .valueNotFound(_, let found), .dataCorrupted(let found):
            context = found
        case .keyNotFound(let key, let found):
            context = found
            missing = " (no \(key.stringValue))"
        @unknown default:
            return "unreadable JSON"
        }
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        let place = path.isEmpty ? "the top level" : String(path.prefix(100))
        return "unreadable JSON at \(place)\(missing): \(context.debugDescription.prefix(200))"
    }

    /// What is left when an error is of no known kind: `TypeName.caseName(…)` becomes
    /// "case name", so no Swift type reaches an operator.
    public static func plain(_ text: String) -> String {
        var words = text.prefix(200)
        // Drop leading `Type.` parts (a type name starts with an upper-case letter).
        // (`OK. Then…` is a sentence: a type's dot is followed by a name, not a space.)
        while let dot = words.firstIndex(of: "."),
            let first = words.first, first.isUppercase,
            words[..<dot].allSatisfy({ $0.isLetter || $0.isNumber }),
            words.index(after: dot) < words.endIndex, words[words.index(after: dot)].isLetter
        {
            words = words[words.index(after: dot)...]
        }
        guard words.count < text.prefix(200).count else { return String(words) }
        // `invalidURL(…)` or `bodyLengthMismatch`: the case name, in words.
        let name = words.prefix { $0.isLetter || $0.isNumber }
        var spoken = ""
        var previous: Character?
        for character in name {
            if character.isUppercase, let previous, previous.isLowercase { spoken.append(" ") }
            spoken.append(character)
            previous = character
        }
        let lowered = spoken.split(separator: " ").map { part in
            part.allSatisfy(\.isUppercase) ? String(part) : part.lowercased()
        }
        return lowered.isEmpty ? "the request failed" : lowered.joined(separator: " ")
    }
}

/// A URL as it may be shown: scheme, host and port, never a user part, and the path only
/// when it holds no secret.
public enum ShownURL {
    /// `https://hooks.slack.com/<redacted>` for a URL whose path is the secret (a Slack or
    /// generic webhook); the URL without its user part otherwise.
    public static func of(_ url: String, pathIsSecret: Bool) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "<redacted>" }
        let scheme = url[..<schemeEnd.lowerBound]
        let rest = url[schemeEnd.upperBound...]
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let path = rest[authority.endIndex...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let origin = "\(scheme)://\(authority)"
        if pathIsSecret { return path.isEmpty ? origin : origin + "/<redacted>" }
        return origin + path
    }

    /// A URL's host and port, without user part (`check-config`'s "where it sends"); nil
    /// when it has none.
    public static func authority(of url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return authority.isEmpty ? nil : String(authority)
    }
}
