import Foundation
import Logging
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// The endpoint over real HTTP: Hummingbird in-process, then the built binary end to end.
@Suite(.serialized) struct HTTPEndpointTests {
    /// Runs the endpoint service on a free loopback port for the duration of `body`.
    func serving(_ endpoint: Endpoint, _ body: @Sendable (String) async throws -> Void) async throws {
        let listening = AsyncStream<Int>.makeStream()
        let service = HTTPEndpointService(
            endpoint: endpoint, address: ListenAddress(host: "127.0.0.1", port: 0),
            logger: Logger(label: "test"), onListening: { listening.continuation.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            var ports = listening.stream.makeAsyncIterator()
            let port = try #require(await ports.next())
            try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }

    @Test func healthzIsStartingThenOkThen503WhenTicksStop() async throws {
        let status = WatchdogStatus()
        let endpoint = Endpoint(
            status: status, metrics: WatchdogMetrics(), heartbeats: nil, pingToken: nil,
            staleAfter: .seconds(2), channelStatistics: { [] }, wallClock: { Date() }, monotonicNow: { .now })
        try await serving(endpoint) { base in
            let starting = try await fetch(base + "/healthz")
            #expect(starting.status == 503 && starting.body == #"{"status":"starting"}"#)
            #expect(starting.header("content-type") == "application/json")

            status.recordTick(finishedAt: .now, state: EngineState())
            #expect(try await fetch(base + "/healthz").status == 200)
            // No more ticks: stale once 2 s have passed.
            #expect(await eventually { (try? await fetch(base + "/healthz"))?.status == 503 })
            #expect(try await fetch(base + "/healthz").body.contains(#""status":"stale""#))

            #expect(try await fetch(base + "/nothing").status == 404)
            #expect(try await fetch(base + "/healthz", method: "DELETE").status == 404)
        }
    }

    /// A local client holding 64 idle connections kept `/healthz` (and the compose
    /// healthcheck) from being answered at all. With 300 held, it still answers.
    @Test func healthzAnswersWhileAClientHoldsHundredsOfIdleConnections() async throws {
        let status = WatchdogStatus()
        status.recordTick(finishedAt: .now, state: EngineState())
        let endpoint = Endpoint(
            status: status, metrics: WatchdogMetrics(), heartbeats: nil, pingToken: nil,
            staleAfter: .seconds(3600), channelStatistics: { [] }, wallClock: { Date() },
            monotonicNow: { .now })
        try await serving(endpoint) { base in
            let port = try #require(Int(base.split(separator: ":").last ?? ""))
            let held = (0..<300).compactMap { _ in Self.openIdleConnection(port: port) }
            defer { for descriptor in held { close(descriptor) } }
            #expect(held.count == 300)
            // Quiet for over a second: the held connections are the ones to give way.
            try await Task.sleep(for: .milliseconds(1_500))
            for _ in 0..<3 {
                let answer = try await fetch(base + "/healthz")
                #expect(answer.status == 200)
            }
        }
    }

    /// A TCP connection to the endpoint that never sends a byte.
    static func openIdleConnection(port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}

/// The binary with its endpoint on: health, metrics checked by promtool, pings with and
/// without the token, a missed heartbeat alerting once and resolving, and a restart that
/// keeps the last ping.
@Suite(.serialized) struct EndpointProcessTests {
    static let token = "pt-s3cret-4711"

    @Test func theEndpointServesHealthMetricsAlertsAndPingsOfTheRunningWatchdog() async throws {
        let directory = try TemporaryDirectory()
        let port = try freeLocalPort()
        let base = "http://127.0.0.1:\(port)"
        let environment = [
            "WATCHDOG_LISTEN": "127.0.0.1:\(port)", "WATCHDOG_INTERVAL": "1s", "WATCHDOG_COOLDOWN": "1s",
            "WATCHDOG_HEARTBEATS": "job=2s,nightly=26h", "WATCHDOG_PING_TOKEN": Self.token,
            "WATCHDOG_STATE_FILE": directory.path + "/state.json", "WATCHDOG_LOG_LEVEL": "debug",
        ]
        let process = try WatchdogProcess.start(["run"], environment: environment)
        try await process.waitForStderr(occurrences: 1, of: "http endpoint listening", timeout: 20)
        #expect(await eventually { (try? await fetch(base + "/healthz"))?.status == 200 })
        let healthcheck = try await WatchdogProcess.run(["healthcheck"], environment: environment)
        #expect(healthcheck.status == 0 && healthcheck.stdout.hasPrefix("healthy"))

        // Pings: the token is required, by header or query; names are checked after it.
        #expect(try await fetch(base + "/ping/nightly", method: "POST").status == 401)
        #expect(try await fetch(base + "/ping/nightly?token=wrong").status == 401)
        #expect(try await fetch(base + "/ping/nightly?token=\(Self.token)").status == 200)
        let bearer = [("Authorization", "Bearer \(Self.token)")]
        #expect(try await fetch(base + "/ping/unknown", headers: bearer).status == 404)
        #expect(try await fetch(base + "/nothing-here", headers: bearer).status == 404)
        // The status page (on by default) needs no token and shows none.
        let page = try await fetch(base + "/")
        #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(!page.body.contains(Self.token))

        // `job` was never pinged: its 2 s window passes, it fires once, and with a 1 s
        // cooldown for everything else it still does not repeat.
        try await process.waitForStderr(occurrences: 1, of: "action=fire key=heartbeat_missed:job", timeout: 20)
        try await process.waitForStderr(occurrences: 4, of: "tick done", timeout: 20)
        // The log line comes mid-tick; the endpoint shows the tick once it completed.
        #expect(
            await eventually {
                (try? await fetch(base + "/alerts"))?.body.contains(#""key":"heartbeat_missed:job""#) == true
            })
        let alerts = try await fetch(base + "/alerts")
        #expect(alerts.body.contains(#""key":"heartbeat_missed:job""#))
        #expect(!alerts.body.contains("nightly"))

        let metrics = try await fetch(base + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"watchdog_signals_active{family="heartbeat_missed"} 1"#))
        #expect(metrics.body.contains(#"watchdog_collector_errors_total{collector="heartbeats"} 0"#))
        #expect(metrics.body.contains(#"watchdog_notifications_total{channel="console",outcome="delivered"}"#))
        try await Promtool.checkMetrics(metrics.body)

        #expect(try await fetch(base + "/ping/job", method: "POST", headers: bearer).status == 200)
        try await process.waitForStderr(occurrences: 1, of: "action=resolve key=heartbeat_missed:job", timeout: 20)
        process.terminate()
        let result = try await process.wait(timeout: 5)
        #expect(result.status == 0)
        // Once before the ping (after it, a slow machine may see the 2 s window pass again).
        let beforePing = result.stderr.components(separatedBy: "action=resolve key=heartbeat_missed:job")[0]
        #expect(beforePing.components(separatedBy: "action=fire key=heartbeat_missed:job").count == 2)
        for text in [result.stdout, result.stderr, alerts.body, metrics.body] {
            #expect(!text.contains(Self.token))
        }
        let stopped = try await WatchdogProcess.run(["healthcheck"], environment: environment)
        #expect(stopped.status == 1 && stopped.stdout.hasPrefix("unhealthy"))

        // A restart keeps when each heartbeat was last seen.
        let before = try Self.heartbeatMemory(directory.path + "/state.json")
        let restarted = try WatchdogProcess.start(["run"], environment: environment)
        #expect(await eventually { (try? await fetch(base + "/healthz"))?.status == 200 })
        restarted.terminate()
        _ = try await restarted.wait(timeout: 5)
        let after = try Self.heartbeatMemory(directory.path + "/state.json")
        #expect(before.seen["nightly"]?.pinged == true)
        #expect(after.seen["nightly"] == before.seen["nightly"])
        #expect(after.seen["job"] == before.seen["job"])
    }

    @Test func heartbeatsNeedTheEndpointAndATokenBeyondLoopback() async throws {
        let off = try await WatchdogProcess.run(
            ["check-config"], environment: ["WATCHDOG_HEARTBEATS": "job=1h", "WATCHDOG_LISTEN": "off"])
        #expect(off.status == 2)
        #expect(off.stderr.contains("WATCHDOG_HEARTBEATS: needs the HTTP endpoint, but WATCHDOG_LISTEN is off"))

        let open = try await WatchdogProcess.run(
            ["run"], environment: ["WATCHDOG_HEARTBEATS": "job=1h", "WATCHDOG_LISTEN": "0.0.0.0:9099"])
        #expect(open.status == 2)
        #expect(open.stderr.contains("WATCHDOG_PING_TOKEN: is required"))

        let unhealthy = try await WatchdogProcess.run(["healthcheck"], environment: ["WATCHDOG_LISTEN": "off"])
        #expect(unhealthy.status == 1)
    }

    static func heartbeatMemory(_ path: String) throws -> HeartbeatSource.Memory {
        guard case .loaded(let state) = StateFile.decode(try Data(contentsOf: URL(fileURLWithPath: path))) else {
            throw WatchdogProcess.Timeout(description: "the state file does not load")
        }
        let memory = try #require(state.engine.samples["heartbeats"])
        return try JSONDecoder().decode(HeartbeatSource.Memory.self, from: memory)
    }
}

/// `promtool check metrics` from Debian's prometheus package: the exposition must parse
/// and pass its lint (HELP on every metric, counter names, units).
enum Promtool {
    static let binary = "/usr/bin/promtool"

    static func checkMetrics(_ exposition: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            if NodeExporter.required { Issue.record("promtool is missing: install the prometheus package") }
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "promtool check metrics: \(text)")
    }
}
