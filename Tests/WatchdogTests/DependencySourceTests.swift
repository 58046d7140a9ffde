import Collectors
import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// Dependency probes against real local servers.
@Suite struct DependencySourceTests {
    let texts = Texts(.en)

    func source(_ deps: [(String, String)], timeout: Duration = .seconds(2), slow: Duration? = nil) throws
        -> DependencySource
    {
        DependencySource(
            targets: try deps.map { try DependencyTarget.parse(name: $0.0, url: $0.1) }, timeout: timeout,
            downAfter: 2, slowAfter: slow, certificateWarning: .seconds(14 * 86_400), texts: texts)
    }

    func signals(_ evaluation: SourceEvaluation<DependencySource.Memory>) -> [String: Signal] {
        Dictionary(evaluation.signals.map { ($0.key.description, $0) }) { $1 }
    }

    @Test func healthyFailingHangingClosedAndTCPDependencies() async throws {
        let healthy = try await StubHTTPServer.start { _ in .text(200, "ok") }
        let failing = try await StubHTTPServer.start { _ in .text(500, "boom") }
        let hanging = try await StubHTTPServer.start { _ in .hangs }
        let tcp = try await StubHTTPServer.start { _ in .text(200, "") }
        let closedPort = try freeLocalPort()
        defer {
            Task {
                for server in [healthy, failing, hanging, tcp] { await server.stop() }
            }
        }
        let source = try source(
            [
                ("web", healthy.baseURL + "/health"), ("api", failing.baseURL + "/"),
                ("stuck", hanging.baseURL + "/"), ("closed", "http://127.0.0.1:\(closedPort)/"),
                ("redis", "tcp://127.0.0.1:\(tcp.port)"), ("nothing", "tcp://127.0.0.1:\(closedPort)"),
            ], timeout: .seconds(2))

        // (How long a tick with hanging probes takes is measured by scripts/bench.sh.)
        let first = try await source.collect(now: Date())
        let results = Dictionary(first.map { ($0.name, $0) }) { $1 }
        #expect(results["web"]?.ok == true)
        #expect(results["api"]?.error == "status 500")
        #expect(results["stuck"]?.error == "timed out")
        #expect(results["closed"]?.error == "connection refused by 127.0.0.1:\(closedPort)")
        #expect(results["redis"]?.ok == true)
        #expect(results["nothing"]?.error == "connection refused by 127.0.0.1:\(closedPort)")

        // dependency_down needs two failures in a row.
        let once = source.evaluate(first, memory: nil, now: Date())
        #expect(signals(once)["dependency_down:api"]?.active == false)
        let twice = source.evaluate(try await source.collect(now: Date()), memory: once.memory, now: Date())
        let found = signals(twice)
        #expect(found["dependency_down:api"]?.active == true)
        #expect(found["dependency_down:api"]?.detail == "\(failing.baseURL)/: status 500 (2 in a row)")
        #expect(found["dependency_down:stuck"]?.active == true)
        #expect(found["dependency_down:closed"]?.detail.contains("connection refused") == true)
        #expect(found["dependency_down:web"]?.active == false)
        #expect(found["dependency_down:redis"]?.active == false)
    }

    @Test func anExpectedStatusInTheFragmentAndSlowAnswers() async throws {
        let noContent = try await StubHTTPServer.start { _ in StubResponse(status: 204, delay: .milliseconds(300)) }
        defer { Task { await noContent.stop() } }
        let source = try source(
            [("exact", noContent.baseURL + "/#status=204"), ("wrong", noContent.baseURL + "/#status=200")],
            slow: .milliseconds(100))
        let evaluation = source.evaluate(try await source.collect(now: Date()), memory: nil, now: Date())
        let found = signals(evaluation)
        #expect(found["dependency_slow:exact"]?.active == true)
        let second = source.evaluate(try await source.collect(now: Date()), memory: evaluation.memory, now: Date())
        #expect(signals(second)["dependency_down:exact"]?.active == false)
        #expect(signals(second)["dependency_down:wrong"]?.detail.contains("status 204, expected 200") == true)
    }

    @Test func aCertificateExpiringInThreeDaysIsReportedEvenWhenUntrusted() async throws {
        let directory = try TemporaryDirectory()
        let key = directory.path + "/key.pem"
        let certificate = directory.path + "/cert.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3", "-subj", "/CN=localhost", "-keyout", key,
            "-out", certificate,
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        while openssl.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let server = try await StubHTTPServer.start(certificate: certificate, privateKey: key) { _ in .text(200, "ok") }
        defer { Task { await server.stop() } }

        let source = try source([("secure", server.httpsURL + "/")])
        let results = try await source.collect(now: Date())
        let expiry = try #require(results.first?.certificateExpiresAt)
        #expect(abs(expiry.timeIntervalSinceNow - 3 * 86_400) < 3_600)
        // Self-signed: untrusted, in words.
        #expect(results.first?.error == "TLS: the server's certificate is not trusted")
        let found = signals(source.evaluate(results, memory: nil, now: Date()))
        #expect(found["certificate_expiry:secure"]?.active == true)
        // Three days from openssl's second, read within that second or just after it.
        let detail = found["certificate_expiry:secure"]?.detail ?? "none"
        #expect(detail.contains("(in 2d 23h)") || detail.contains("(in 3d)"), "\(detail)")
    }

    @Test func urlsAreShownWithoutCredentialsOrQuery() throws {
        let target = try DependencyTarget.parse(
            name: "db", url: "https://user:s3cr3t@db.internal:8443/health?token=abc#status=204")
        #expect(target.shownURL == "https://db.internal:8443/health")
        #expect(
            target.probe == .http(url: "https://user:s3cr3t@db.internal:8443/health?token=abc", expectedStatus: 204))
        #expect(throws: CollectorError.self) { try DependencyTarget.parse(name: "x", url: "ftp://host/") }
        #expect(throws: CollectorError.self) { try DependencyTarget.parse(name: "x", url: "tcp://host") }
        #expect(throws: CollectorError.self) { try DependencyTarget.parse(name: "bad name", url: "tcp://host:1") }
        #expect(throws: CollectorError.self) { try DependencyTarget.parse(name: "x", url: "http://h/#status=abc") }
    }

    @Test func aBadDependencyListIsAConfigErrorThatDoesNotShowTheURL() {
        do {
            _ = try Configuration.load(
                process: ["WATCHDOG_DEPS": "db=ftp://user:s3cr3t@db/, ok=tcp://h:1, nameonly"], workingDirectory: nil
            )
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.map(\.variable) == ["WATCHDOG_DEPS", "WATCHDOG_DEPS"])
            #expect(!"\(error)".contains("s3cr3t"))
        }
    }
}
