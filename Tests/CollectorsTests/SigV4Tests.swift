import Foundation
import Testing

@testable import Collectors

/// Every header-signing case of the official AWS SigV4 test suite, in `SigV4Suite` next
/// to this file (a copy of awslabs/aws-c-auth's `tests/aws-signing-test-suite/v4`, Apache
/// License 2.0; its README and LICENSE are there).
@Suite struct SigV4Tests {
    static let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("SigV4Suite")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: suite.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: suite.appendingPathComponent("\($0)/header-signature.txt").path)
        }.sorted()
    }

    struct Context: Decodable {
        struct Credentials: Decodable {
            let accessKeyID: String
            let secretAccessKey: String
            let token: String?

            enum CodingKeys: String, CodingKey {
                case accessKeyID = "access_key_id"
                case secretAccessKey = "secret_access_key"
                case token
            }
        }
        let credentials: Credentials
        let region: String
        let service: String
        let timestamp: String
        let normalize: Bool
        let signBody: Bool
        let omitSessionToken: Bool?

        enum CodingKeys: String, CodingKey {
            case credentials, region, service, timestamp, normalize
            case signBody = "sign_body"
            case omitSessionToken = "omit_session_token"
        }
    }

    /// The raw request of a case: request line, headers (continuation lines folded into
    /// the previous value), blank line, body.
    static func request(_ text: String) throws -> SigV4Request {
        let (head, body) =
            text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) }
            ?? (text, "")
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let (path, query) =
            target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) }
            ?? (target, "")
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].value += "\n" + line
            } else {
                let colon = try #require(line.firstIndex(of: ":"))
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        return SigV4Request(method: method, path: path, query: query, headers: headers, body: Array(body.utf8))
    }

    @Test func theSuiteIsThere() {
        #expect(Self.cases.count >= 30, "\(Self.suite.path)")
    }

    @Test(arguments: cases)
    func aCaseGivesTheSuitesCanonicalRequestStringToSignAndSignature(name: String) throws {
        let folder = Self.suite.appendingPathComponent(name)
        func file(_ name: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        let context = try JSONDecoder().decode(Context.self, from: Data(file("context.json").utf8))
        var signer = SigV4(region: context.region, service: context.service)
        signer.normalizesPath = context.normalize
        signer.signsBody = context.signBody
        signer.signsSessionToken = !(context.omitSessionToken ?? false)
        let credentials = AWSCredentials(
            accessKeyID: context.credentials.accessKeyID, secretAccessKey: context.credentials.secretAccessKey,
            sessionToken: context.credentials.token)
        let time = try #require(ISO8601DateFormatter().date(from: context.timestamp))

        let signature = signer.sign(try Self.request(file("request.txt")), credentials: credentials, at: time)
        #expect(signature.canonicalRequest == (try file("header-canonical-request.txt")))
        #expect(signature.stringToSign == (try file("header-string-to-sign.txt")))
        #expect(signature.signature == (try file("header-signature.txt")))
        let signed = try file("header-signed-request.txt")
        let authorization = try #require(signature.headers.first { $0.name == "Authorization" }?.value)
        #expect(signed.contains("Authorization:" + authorization))
    }

    @Test func uriEncodingKeepsOnlyUnreservedCharacters() {
        #expect(SigV4.uriEncode("a b/ሴ=+*~") == "a%20b%2F%E1%88%B4%3D%2B%2A~")
    }

    @Test func credentialsNeverDescribeTheirSecrets() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG", sessionToken: "tok-secret")
        #expect(!"\(credentials)".contains("wJalr"))
        #expect(!"\(credentials)".contains("tok-secret"))
    }
}
