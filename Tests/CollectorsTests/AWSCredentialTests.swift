import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Collectors

@Suite struct AWSCredentialParsingTests {
    @Test func theEnvironmentNeedsBothKeys() {
        #expect(AWSCredentialParsing.environment(["AWS_ACCESS_KEY_ID": "AKID"]) == nil)
        #expect(
            AWSCredentialParsing.environment([
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t",
            ]) == AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s", sessionToken: "t"))
    }

    static let file = """
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = secret-default

        [ci]
        ; another comment
        AWS_ACCESS_KEY_ID=AKIDCI
        aws_secret_access_key=secret-ci
        aws_session_token = token-ci
        [broken]
        aws_access_key_id = only-half
        """

    @Test func aSharedFileGivesTheNamedProfile() throws {
        #expect(
            try AWSCredentialParsing.sharedFile(Self.file, profile: "default")
                == AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "secret-default"))
        #expect(
            try AWSCredentialParsing.sharedFile(Self.file, profile: "ci")
                == AWSCredentials(accessKeyID: "AKIDCI", secretAccessKey: "secret-ci", sessionToken: "token-ci"))
        #expect(try AWSCredentialParsing.sharedFile(Self.file, profile: "absent") == nil)
        #expect(throws: CollectorError.self) { try AWSCredentialParsing.sharedFile(Self.file, profile: "broken") }
    }

    @Test func endpointJSONIsReadWithItsExpiration() throws {
        let json =
            #"{"Code":"Success","AccessKeyId":"ASIA1","SecretAccessKey":"s","Token":"t","Expiration":"2027-01-15T08:00:00Z"}"#
        let credentials = try AWSCredentialParsing.endpointJSON(Array(json.utf8), from: "x")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(throws: CollectorError("x answered Code AssumeRoleUnauthorizedAccess")) {
            try AWSCredentialParsing.endpointJSON(Array(#"{"Code":"AssumeRoleUnauthorizedAccess"}"#.utf8), from: "x")
        }
        #expect(throws: CollectorError("x did not answer credentials JSON")) {
            try AWSCredentialParsing.endpointJSON(Array("<html>".utf8), from: "x")
        }
    }
}

/// The chain against local stand-ins of the ECS credentials endpoint and IMDSv2.
@Suite struct AWSCredentialChainTests {
    /// No environment keys, no shared file, no container endpoint.
    static let bare = ["HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]

    @Test func theEnvironmentComesFirstThenTheSharedFile() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("credentials", AWSCredentialParsingTests.file)
        let fromFile = try await AWSCredentialChain(
            environment: ["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "ci"], timeout: .seconds(1)
        ).credentials(now: Date())
        #expect(fromFile.accessKeyID == "AKIDCI")
        let fromEnvironment = try await AWSCredentialChain(
            environment: [
                "AWS_SHARED_CREDENTIALS_FILE": path, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s",
            ],
            timeout: .seconds(1)
        ).credentials(now: Date())
        #expect(fromEnvironment.accessKeyID == "AKIDENV")
    }

    @Test func theContainerEndpointNeedsItsAuthorizationToken() async throws {
        let server = try await StubHTTPServer.start { request in
            guard request.headers["authorization"] == "ecs-token-123" else { return .json(401, #"{"message":"no"}"#) }
            return .json(
                200, #"{"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":"2999-01-01T00:00:00Z"}"#
            )
        }
        defer { Task { await server.stop() } }
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("token", "ecs-token-123\n")
        var environment = Self.bare
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.baseURL + "/v2/credentials/abc"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile
        let credentials = try await AWSCredentialChain(environment: environment, timeout: .seconds(8)).credentials(
            now: Date())
        #expect(credentials.accessKeyID == "ASIAECS")
        #expect(server.requests.map(\.uri) == ["/v2/credentials/abc"])

        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = nil
        await #expect(throws: CollectorError("the container credentials endpoint answered status 401")) {
            try await AWSCredentialChain(environment: environment, timeout: .seconds(8)).credentials(now: Date())
        }
    }

    @Test func instanceMetadataV2NeedsItsTokenAndExpiringCredentialsAreRefreshed() async throws {
        let issued = Mutex(0)
        let server = try await StubHTTPServer.start { request in
            if request.method == "PUT", request.uri == "/latest/api/token" {
                guard request.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600" else { return .text(400, "") }
                return .text(200, "imds-session-token")
            }
            // IMDSv1 (no token) is refused, as on an instance that requires v2.
            guard request.headers["x-aws-ec2-metadata-token"] == "imds-session-token" else { return .text(401, "") }
            if request.uri == "/latest/meta-data/iam/security-credentials/" { return .text(200, "worker-role\n") }
            guard request.uri == "/latest/meta-data/iam/security-credentials/worker-role" else { return .text(404, "") }
            let count = issued.withLock {
                $0 += 1
                return $0
            }
            // Each set expires 10 minutes after 2027-01-15T08:00:00Z + count hours.
            let expiration = ISO8601DateFormatter().string(
                from: Date(timeIntervalSince1970: 1_800_000_000 + Double(count) * 3600 + 600))
            return .json(
                200,
                #"{"Code":"Success","AccessKeyId":"ASIAIMDS\#(count)","SecretAccessKey":"s","Token":"t","Expiration":"\#(expiration)"}"#
            )
        }
        defer { Task { await server.stop() } }
        var environment = Self.bare
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server.baseURL
        let chain = AWSCredentialChain(environment: environment, timeout: .seconds(8))
        let start = Date(timeIntervalSince1970: 1_800_000_000 + 3600)
        #expect(try await chain.credentials(now: start).accessKeyID == "ASIAIMDS1")
        // Still 6 minutes left: kept.
        #expect(try await chain.credentials(now: start.addingTimeInterval(240)).accessKeyID == "ASIAIMDS1")
        // Within 5 minutes of expiry: fetched anew.
        #expect(try await chain.credentials(now: start.addingTimeInterval(360)).accessKeyID == "ASIAIMDS2")
        #expect(server.requests.filter { $0.method == "PUT" }.count == 2)
    }

    @Test func withNothingAvailableTheErrorSaysSo() async throws {
        var environment = Self.bare
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        await #expect(throws: CollectorError.self) {
            try await AWSCredentialChain(environment: environment, timeout: .seconds(1)).credentials(now: Date())
        }
        // IMDS not disabled but unreachable: a clear error, not a hang.
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:\(try freeLocalPort())"
        do {
            _ = try await AWSCredentialChain(environment: environment, timeout: .seconds(1)).credentials(now: Date())
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasPrefix("instance metadata (token) could not be reached"))
        }
    }
}
