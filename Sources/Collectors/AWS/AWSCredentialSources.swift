import AsyncHTTPClient
import FoundationEssentials
import FoundationGaps
import NIOCore
import NIOHTTP1
import OutboundHTTP

/// The pure parsers of the credential chain (SPEC §10.5): environment, shared
/// credentials file, and the JSON the ECS and instance-metadata endpoints answer.
public enum AWSCredentialParsing {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; nil unless both
    /// keys are set.
    public static func environment(_ environment: [String: String]) -> AWSCredentials? {
        guard let id = nonEmpty(environment["AWS_ACCESS_KEY_ID"]),
            let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        else { return nil }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]))
    }

    /// One profile of a shared credentials file (INI: `[name]` sections, `key = value`,
    /// `#` and `;` comments). Nil when the profile is not in the file; an error when it
    /// is there but incomplete.
    public static func sharedFile(_ text: String, profile: String) throws(CollectorError) -> AWSCredentials? {
        var section: String?
        var values: [String: String] = [:]
        var found = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = line.dropFirst().dropLast().trimmingWhitespace()
                found = found || section == profile
                continue
            }
            guard section == profile, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingWhitespace().lowercased()
            values[key] = line[line.index(after: equals)...].trimmingWhitespace()
        }
        guard found else { return nil }
        guard let id = nonEmpty(values["aws_access_key_id"]), let secret = nonEmpty(values["aws_secret_access_key"])
        else {
            throw CollectorError(
                "profile \(profile) of the shared credentials file has no aws_access_key_id and aws_secret_access_key")
        }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: nonEmpty(values["aws_session_token"]))
    }

    /// The JSON of the ECS container credentials endpoint and of IMDS
    /// (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`; IMDS adds `Code`).
    public static func endpointJSON(_ bytes: [UInt8], from source: String) throws(CollectorError) -> AWSCredentials {
        struct Document: Decodable {
            let code: String?
            let accessKeyID: String?
            let secretAccessKey: String?
            let token: String?
            let expiration: String?

            enum CodingKeys: String, CodingKey {
                case code = "Code"
                case accessKeyID = "AccessKeyId"
                case secretAccessKey = "SecretAccessKey"
                case token = "Token"
                case expiration = "Expiration"
            }
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(bytes)) else {
            throw CollectorError("\(source) did not answer credentials JSON")
        }
        if let code = document.code, code != "Success" {
            throw CollectorError("\(source) answered Code \(code.prefix(100))")
        }
        guard let id = nonEmpty(document.accessKeyID), let secret = nonEmpty(document.secretAccessKey) else {
            throw CollectorError("\(source) answered JSON without AccessKeyId and SecretAccessKey")
        }
        var expiration: Date?
        if let text = document.expiration {
            expiration = try? Date(text, strategy: .iso8601)
            if expiration == nil { throw CollectorError("\(source) answered an unreadable Expiration") }
        }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: nonEmpty(document.token), expiration: expiration)
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }
}

/// Finds credentials the way the AWS SDKs do (SPEC §10.5) and keeps them until shortly
/// before they expire: environment; shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`
/// or `~/.aws/credentials`, profile `AWS_PROFILE` or `default`); ECS container
/// credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`, with
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `_TOKEN_FILE`); EC2 instance metadata, IMDSv2
/// (unless `AWS_EC2_METADATA_DISABLED=true`; `AWS_EC2_METADATA_SERVICE_ENDPOINT`).
///
/// Errors name the step and never hold a secret.
public actor AWSCredentialChain {
    private let environment: [String: String]
    private let timeout: Duration
    private var cached: AWSCredentials?

    /// Temporary credentials are replaced this long before they expire.
    static let refreshMargin: TimeInterval = 5 * 60
    static let bodyLimit = 64 * 1024

    public init(environment: [String: String], timeout: Duration) {
        self.environment = environment
        self.timeout = timeout
    }

    public func credentials(now: Date) async throws -> AWSCredentials {
        if let cached, cached.expiration.map({ $0.timeIntervalSince(now) > Self.refreshMargin }) ?? true {
            return cached
        }
        let found = try await resolve()
        cached = found
        return found
    }

    /// Forgets the cached credentials, so the next call looks them up again: used when
    /// AWS rejects them (rotated keys in the shared file, a revoked session).
    public func invalidate() {
        cached = nil
    }

    private func resolve() async throws -> AWSCredentials {
        if let credentials = AWSCredentialParsing.environment(environment) { return credentials }
        if let credentials = try sharedFile() { return credentials }
        if let credentials = try await container() { return credentials }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
            return try await instanceMetadata()
        }
        throw CollectorError(
            "no AWS credentials: none in the environment, the shared credentials file or the container endpoint, and instance metadata is disabled"
        )
    }

    private func sharedFile() throws -> AWSCredentials? {
        let path =
            environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap(AWSCredentialParsing.nonEmpty)
            ?? environment["HOME"].map { $0 + "/.aws/credentials" }
        guard let path, FileManager.default.fileExists(atPath: path) else { return nil }
        let text = try BoundedFile.readText(path, limit: 1024 * 1024)
        let profile = environment["AWS_PROFILE"].flatMap(AWSCredentialParsing.nonEmpty) ?? "default"
        return try AWSCredentialParsing.sharedFile(text, profile: profile)
    }

    private func container() async throws -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"].flatMap(AWSCredentialParsing.nonEmpty) {
            url = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"].flatMap(AWSCredentialParsing.nonEmpty) {
            url = full
        } else {
            return nil
        }
        var headers: [(String, String)] = []
        if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap(AWSCredentialParsing.nonEmpty) {
            headers.append(("Authorization", token))
        } else if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"].flatMap(
            AWSCredentialParsing.nonEmpty)
        {
            let token = try BoundedFile.readText(file, limit: 16 * 1024).trimmingWhitespaceAndNewlines()
            headers.append(("Authorization", token))
        }
        let body = try await request(url, method: .GET, headers: headers, step: "the container credentials endpoint")
        return try AWSCredentialParsing.endpointJSON(body, from: "the container credentials endpoint")
    }

    private func instanceMetadata() async throws -> AWSCredentials {
        let base =
            environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap(AWSCredentialParsing.nonEmpty)
            .map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "http://169.254.169.254"
        let token = String(
            decoding: try await request(
                base + "/latest/api/token", method: .PUT, headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
                step: "instance metadata (token)"), as: UTF8.self)
        let auth = [("X-aws-ec2-metadata-token", token)]
        let roles = String(
            decoding: try await request(
                base + "/latest/meta-data/iam/security-credentials/", method: .GET, headers: auth,
                step: "instance metadata (role)"), as: UTF8.self)
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw CollectorError("instance metadata has no IAM role attached to this instance")
        }
        let body = try await request(
            base + "/latest/meta-data/iam/security-credentials/" + SigV4.uriEncode(role), method: .GET, headers: auth,
            step: "instance metadata (credentials)")
        return try AWSCredentialParsing.endpointJSON(body, from: "instance metadata")
    }

    private func request(
        _ url: String, method: HTTPMethod, headers: [(String, String)], step: String
    ) async throws -> [UInt8] {
        var request = HTTPExchange.Request(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        switch await HTTPExchange.perform(request, timeout: timeout, bodyLimit: Self.bodyLimit) {
        case .success(let response):
            guard (200..<300).contains(response.status) else {
                throw CollectorError("\(step) answered status \(response.status)")
            }
            return response.body
        case .failure(let failure):
            throw CollectorError("\(step) could not be reached: \(failure)")
        }
    }
}
