import Digests
import FoundationEssentials
import FoundationGaps

/// An HTTP request as AWS Signature Version 4 sees it.
public struct SigV4Request: Sendable {
    public var method: String
    /// The path as sent (not yet percent-encoded for signing).
    public var path: String
    /// The raw query string, without `?`.
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// AWS Signature Version 4 for header-signed requests, as the official test suite
/// (kept in `Tests/CollectorsTests/SigV4Suite`) defines it. Pure: the time is passed in.
public struct SigV4: Sendable {
    public let region: String
    public let service: String
    /// Remove `.`/`..` segments and repeated slashes before encoding (every service but S3).
    public var normalizesPath = true
    /// Add and sign `x-amz-content-sha256`.
    public var signsBody = false
    /// Sign `x-amz-security-token`; when false it is added after signing (a few services
    /// want that).
    public var signsSessionToken = true

    public init(region: String, service: String) {
        self.region = region
        self.service = service
    }

    /// Every intermediate of a signature, so each can be checked against the test suite.
    public struct Signature: Sendable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
        /// What to add to the request: `X-Amz-Date`, the token and body hash when used,
        /// and `Authorization`.
        public let headers: [(name: String, value: String)]
    }

    public func sign(_ request: SigV4Request, credentials: AWSCredentials, at time: Date) -> Signature {
        let (amzDate, day) = Self.timestamps(time)
        let payloadHash = Self.hex(SHA256.hash(request.body))
        var added: [(name: String, value: String)] = [("X-Amz-Date", amzDate)]
        if signsBody { added.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken, signsSessionToken { added.append(("X-Amz-Security-Token", token)) }

        let headers = Self.canonicalHeaders(request.headers + added)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method.uppercased(),
            Self.canonicalPath(request.path, normalizing: normalizesPath),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        var key = Array("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [day, region, service, "aws4_request"] {
            key = HMACSHA256.code(for: part.utf8, key: key)
        }
        let signature = Self.hex(HMACSHA256.code(for: stringToSign.utf8, key: key))

        if let token = credentials.sessionToken, !signsSessionToken { added.append(("X-Amz-Security-Token", token)) }
        added.append(
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
            ))
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, headers: added)
    }

    /// `20150830T123600Z` and `20150830`, in UTC.
    static func timestamps(_ time: Date) -> (amzDate: String, day: String) {
        // ISO 8601 in UTC (`2015-08-30T12:36:00Z`) without its separators.
        let iso: String = time.formatted(.iso8601)
        let amzDate = String(iso.filter { $0 != "-" && $0 != ":" })
        return (amzDate, String(amzDate.prefix(8)))
    }

    /// Lower-case names sorted; values trimmed with inner runs of blanks (folded lines
    /// included) made one space; repeated headers joined with commas in their order.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            values[name.lowercased(), default: []].append(words.joined(separator: " "))
        }
        return values.keys.sorted().map { ($0, values[$0]!.joined(separator: ",")) }
    }

    /// Each segment percent-encoded; with normalization, `.` and `..` resolved and empty
    /// segments dropped, keeping a trailing slash.
    static func canonicalPath(_ path: String, normalizing: Bool) -> String {
        let raw = path.isEmpty ? "/" : path
        guard normalizing else {
            return raw.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }
                .joined(separator: "/")
        }
        var segments: [Substring] = []
        for segment in raw.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let trailing = raw.hasSuffix("/") || raw.hasSuffix("/.") || raw.hasSuffix("/..")
        let joined = "/" + segments.map { uriEncode(String($0)) }.joined(separator: "/")
        return joined == "/" || !trailing ? joined : joined + "/"
    }

    /// Parameters decoded, then encoded strictly, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        func decoded(_ text: Substring) -> String { PercentEncoding.decode(text) ?? String(text) }
        var parameters: [(name: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? decoded(parts[1]) : ""
            parameters.append((uriEncode(decoded(parts[0])), uriEncode(value)))
        }
        parameters.sort { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        return parameters.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// RFC 3986 encoding: everything but `A-Z a-z 0-9 - . _ ~`, as upper-case `%XX`.
    public static func uriEncode(_ text: String) -> String {
        PercentEncoding.encode(text, keeping: unreservedPunctuation)
    }

    /// RFC 3986's unreserved characters besides letters and digits.
    private static let unreservedPunctuation = Set("-._~".utf8)

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
