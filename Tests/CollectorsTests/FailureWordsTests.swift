import AsyncHTTPClient
import Foundation
import OutboundHTTP
import TestSupport
import Testing

/// What an operator reads when a request fails: words and the host it concerns, never a
/// Swift type name, a path or a credential.
@Suite struct FailureWordsTests {
    @Test func aRefusedConnectionSaysByWhom() async throws {
        let port = try freeLocalPort()
        let failure = try #require(await Self.failure("http://127.0.0.1:\(port)/healthz"))
        #expect(failure.description == "connection refused by 127.0.0.1:\(port)")
    }

    @Test func aFailedLookupNamesTheHost() async throws {
        // `.invalid` never resolves (RFC 2606), with or without a resolver.
        let failure = try #require(await Self.failure("http://orchestrator.invalid:8080/metrics"))
        #expect(failure.description == "cannot resolve host orchestrator.invalid")
    }

    @Test func plainHTTPOnATLSURLIsExplained() async throws {
        let server = try await StubHTTPServer.start { _ in .text(200, "plain") }
        defer { Task { await server.stop() } }
        let url = server.baseURL.replacingOccurrences(of: "http://", with: "https://") + "/"
        let failure = try #require(await Self.failure(url))
        #expect(failure.description == "TLS: the server does not speak TLS on this port")
    }

    /// A minute: a lookup without a reachable resolver can take the resolver's own
    /// timeouts, and the answer, not its speed, is what is checked.
    static func failure(_ url: String) async -> HTTPExchange.Failure? {
        var request = HTTPExchange.Request(url: url)
        request.method = .GET
        if case .failure(let failure) = await HTTPExchange.perform(request, timeout: .seconds(60), bodyLimit: 1024) {
            return failure
        }
        return nil
    }

    @Test func targetsAreHostAndPortWithoutUserOrPath() {
        #expect(
            FailureWords.target(ofURL: "https://user:pw@hooks.example:8443/T0/B1?x=1")?.description
                == "hooks.example:8443")
        #expect(FailureWords.target(ofURL: "http://orchestrator/metrics")?.description == "orchestrator:80")
        #expect(
            FailureWords.target(ofURL: "https://api.telegram.org/bot123:abc/sendMessage")?.description
                == "api.telegram.org:443")
        #expect(FailureWords.target(ofURL: "http://[::1]:9099/healthz")?.description == "[::1]:9099")
        #expect(FailureWords.target(ofURL: "http+unix://%2Fvar%2Frun%2Fdocker.sock/_ping") == nil)
        #expect(FailureWords.target(ofURL: "not a url") == nil)
    }

    @Test func anUnknownErrorLosesItsTypeName() {
        #expect(FailureWords.plain("HTTPClientError.invalidURL") == "invalid URL")
        #expect(FailureWords.plain("HTTPClientError.bodyLengthMismatch") == "body length mismatch")
        #expect(FailureWords.plain("NIOCore.ChannelError.unremovableHandler") == "unremovable handler")
        #expect(FailureWords.plain("the server said no") == "the server said no")
        #expect(FailureWords.plain("OK. The server said no") == "OK. The server said no")
        #expect(FailureWords.plain(String(repeating: "x", count: 500)).count == 200)
    }

    @Test func aDecodingErrorSaysWhereNotWhichType() throws {
        struct Wanted: Decodable { let count: Int }
        do {
            _ = try JSONDecoder().decode(Wanted.self, from: Data(#"{"count":"many"}"#.utf8))
            Issue.record("decoded a string as a number")
        } catch {
            let words = HTTPExchange.words(for: error)
            #expect(words.hasPrefix("unreadable JSON at count: "), "\(words)")
            #expect(!words.contains("Swift.") && !words.contains("DecodingError"), "\(words)")
        }
    }

    @Test func shownURLsRedactWhatIsSecret() {
        #expect(
            ShownURL.of("https://hooks.slack.com/services/T0/B1/s3cr3t", pathIsSecret: true)
                == "https://hooks.slack.com/<redacted>")
        #expect(
            ShownURL.of("https://u:s3cr3t@am.example:9093/api/v2/alerts", pathIsSecret: false)
                == "https://am.example:9093/api/v2/alerts")
        #expect(ShownURL.of("https://hook.example", pathIsSecret: true) == "https://hook.example")
        #expect(ShownURL.of("s3cr3t", pathIsSecret: true) == "<redacted>")
    }
}
