import AsyncHTTPClient
import Collectors
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import Watchdog

/// docs/limits.md, through the built binary: each test crosses one bound and checks the
/// one warning that names it, and that nothing else stops (the other sources still
/// read, the source itself is not failed or taken for down). The Docker list, the
/// orchestrator's agents and text, and the wall clock have suites of their own
/// (`DockerScaleTests`, `OrchestratorScaleTests`, `WallClockProcessTests`).
@Suite(.serialized) struct LimitsProcessTests {
    static let quietHost = ["WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100"]

    struct Report {
        let json: [String: Any]
        let stderr: String

        func collector(_ name: String) -> [String: Any]? {
            (json["collectors"] as? [[String: Any]])?.first { $0["name"] as? String == name }
        }

        func signal(_ key: String) -> [String: Any]? {
            (json["signals"] as? [[String: Any]])?.first { $0["key"] as? String == key }
        }

        /// The host checks still ran: nothing else stopped.
        var hostRan: Bool {
            collector("host")?["status"] as? String == "ok" || collector("memory")?["status"] as? String == "ok"
                || signal("host_memory") != nil
        }
    }

    func once(_ environment: [String: String]) async throws -> Report {
        let result = try await WatchdogProcess.run(
            ["once", "--json"], environment: Self.quietHost.merging(environment) { _, new in new }, timeout: 60)
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return Report(json: json, stderr: result.stderr)
    }

    func warnings(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains("source over a limit") }
    }

    @Test func keysPerSourceAndSeriesPerRule() async throws {
        var lines: [String] = []
        var rules: [String] = []
        for metric in 1...6 {
            lines += (0..<100).map { #"m\#(metric){n="\#($0)"} 1"# }
            rules.append("r\(metric): m\(metric) > 0")
        }
        lines += (0..<150).map { #"wide{n="\#($0)"} 1"# }
        rules.append("wide: wide > 0")
        let body = lines.joined(separator: "\n") + "\n"
        let server = try await StubHTTPServer.start { _ in .text(200, body) }
        defer { Task { await server.stop() } }
        let report = try await once([
            "WATCHDOG_ORCH_METRICS_URL": server.baseURL + "/metrics", "WATCHDOG_RULES": rules.joined(separator: ";"),
        ])
        let warnings = warnings(report.stderr)
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.contains("rule wide matches 150 series; the first 100 are watched") == true)
        #expect(warnings.first?.contains("keys reported; 500 are watched") == true)
        #expect(report.collector("orchestrator")?["status"] as? String == "ok")
        #expect(report.signal("orchestrator_down")?["active"] as? Bool == false)
        #expect(report.hostRan)
    }

    @Test func queueStatesPastTheBoundAreNotReadAndSaidSo() async throws {
        let counts = (0..<100).map { #""state\#($0)":\#($0)"# }.joined(separator: ",")
        let body =
            #"{"schema_version":1,"generated_at":\#(Int(Date().timeIntervalSince1970)),"queue":{"counts":{\#(counts)}},"agents":[]}"#
        let server = try await StubHTTPServer.start { _ in .json(200, body) }
        defer { Task { await server.stop() } }
        let report = try await once(["WATCHDOG_ORCH_METRICS_URL": server.baseURL + "/metrics"])
        #expect(warnings(report.stderr).first?.contains("lists 100 queue states; the first 64 are read") == true)
        #expect(report.signal("orchestrator_down")?["active"] as? Bool == false)
        #expect(report.hostRan)
    }

    @Test func aDockerListEntryOverItsBoundIsSkippedAndTheOthersWatched() async throws {
        try await DockerEngineStandIn.with(
            project: "odd", count: 3, oddities: .init(hugeEntryBytes: 300 * 1024)
        ) { daemon in
            let report = try await once(["WATCHDOG_DOCKER_SOCK": daemon.socket, "WATCHDOG_COMPOSE_PROJECT": "odd"])
            let reading = try #require(report.collector("docker")?["reading"] as? [String: Any])
            #expect((reading["containers"] as? [Any])?.count == 3 && reading["oversized"] as? Int == 1)
            #expect(warnings(report.stderr).first?.contains("entries over 262144 bytes were skipped") == true)
            #expect(report.signal("docker_unreachable")?["active"] as? Bool == false)
            #expect(report.hostRan)
        }
    }

    @Test func aDockerAnswerOverItsBoundFailsTheReadNeverAsUnreachable() async throws {
        try await DockerEngineStandIn.with(
            project: "odd", count: 3, oddities: .init(oversizedInspect: ("odd-worker-2", 9 * 1024 * 1024))
        ) { daemon in
            let report = try await once(["WATCHDOG_DOCKER_SOCK": daemon.socket, "WATCHDOG_COMPOSE_PROJECT": "odd"])
            let docker = try #require(report.collector("docker"))
            #expect(docker["status"] as? String == "failed")
            #expect((docker["error"] as? String)?.contains("is larger than 8388608 bytes") == true, "\(docker)")
            #expect(report.signal("docker_unreachable")?["active"] as? Bool != true)
            #expect(report.hostRan)
        }
    }

    @Test func aDockerEventOverItsBoundReopensTheStreamAndTicksGoOn() async throws {
        try await DockerEngineStandIn.with(
            project: "odd", count: 3, oddities: .init(eventLineBytes: 70 * 1024)
        ) { daemon in
            let watchdog = try WatchdogProcess.start(
                ["run"],
                environment: Self.quietHost.merging([
                    "WATCHDOG_DOCKER_SOCK": daemon.socket, "WATCHDOG_COMPOSE_PROJECT": "odd", "WATCHDOG_INTERVAL": "1s",
                    "WATCHDOG_LOG_LEVEL": "debug",
                ]) { _, new in new })
            try await watchdog.waitForStderr(occurrences: 1, of: "an event longer than 65536 bytes", timeout: 30)
            // The stream is opened again and again (the stand-in sends the same line): said
            // once, and the ticks go on.
            let ticks = watchdog.stderr.components(separatedBy: "tick done").count - 1
            try await watchdog.waitForStderr(occurrences: ticks + 3, of: "tick done", timeout: 30)
            watchdog.terminate()
            let result = try await watchdog.wait(timeout: 10)
            #expect(result.status == 0)
            let said = result.stderr.split(separator: "\n").filter { $0.contains("an event longer than 65536 bytes") }
            #expect(
                said.count == 1, "\(result.stderr.split(separator: "\n").filter { $0.contains("Docker") }.prefix(20))")
            #expect(!result.stderr.contains("collector failed collector=docker"))
            #expect(!result.stdout.contains("docker_unreachable"))
        }
    }

    @Test func matchingProcessesPastTheirBoundAreCountedAndSaidSo() async throws {
        let root = try TemporaryDirectory()
        let boot = Int(Date().timeIntervalSince1970) - 36_000
        _ = try root.write("stat", "cpu  1 2 3 4\nbtime \(boot)\nprocesses 100\n")
        _ = try root.write(
            "meminfo", "MemTotal: 1000000 kB\nMemFree: 900000 kB\nMemAvailable: 900000 kB\n")
        for pid in 2_000..<(2_000 + ProcessScanner.maximumMatched + 50) {
            try FileManager.default.createDirectory(atPath: root.path + "/\(pid)", withIntermediateDirectories: true)
            _ = try root.write(
                "\(pid)/stat",
                "\(pid) (python3) S 1 \(pid) \(pid) 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 100 1000 10 18446744073709551615"
            )
            _ = try root.write("\(pid)/cmdline", "python3\0-m\0pytest\0")
        }
        let report = try await once([
            "WATCHDOG_PROC_ROOT": root.path, "WATCHDOG_PROC_ENABLED": "true", "WATCHDOG_PROC_AGE_MIN": "1",
        ])
        #expect(report.collector("processes")?["status"] as? String == "ok")
        #expect(warnings(report.stderr).first?.contains("more than 1000 processes match") == true)
        #expect(report.hostRan)
    }

    @Test func filtersMatchingMoreInstancesThanTheBoundWatchTheFirst() async throws {
        let server = try await StubHTTPServer.start { request in
            var parameters: [String: String] = [:]
            for pair in request.bodyText.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            let xml = ["Content-Type": "text/xml;charset=UTF-8"]
            if parameters["Action"] == "DescribeInstances" {
                let page = Int(parameters["NextToken"] ?? "0") ?? 0
                let items = (page * 600..<(page + 1) * 600).map {
                    "<item><instanceId>i-\(String(format: "%017x", $0))</instanceId><instanceState><code>16</code><name>running</name></instanceState></item>"
                }
                return StubResponse(
                    status: 200, headers: xml,
                    body: "<DescribeInstancesResponse><reservationSet><item><instancesSet>\(items.joined())"
                        + "</instancesSet></item></reservationSet><nextToken>\(page + 1)</nextToken></DescribeInstancesResponse>"
                )
            }
            let ids = (1...100).compactMap { parameters["InstanceId.\($0)"] }
            let items = ids.map {
                "<item><instanceId>\($0)</instanceId><instanceState><code>16</code><name>running</name></instanceState></item>"
            }
            return StubResponse(
                status: 200, headers: xml,
                body:
                    "<DescribeInstanceStatusResponse><instanceStatusSet>\(items.joined())</instanceStatusSet></DescribeInstanceStatusResponse>"
            )
        }
        defer { Task { await server.stop() } }
        let report = try await once([
            "WATCHDOG_EC2_FILTERS": "tag:Role=worker", "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": server.baseURL,
            "AWS_ACCESS_KEY_ID": "AKIDLIMITS", "AWS_SECRET_ACCESS_KEY": "limits-s3cr3t",
            "AWS_EC2_METADATA_DISABLED": "true",
        ])
        let ec2 = try #require(report.collector("ec2"))
        #expect(ec2["status"] as? String == "ok", "\(ec2)")
        #expect(((ec2["reading"] as? [String: Any])?["instances"] as? [Any])?.count == EC2Collector.maximumInstances)
        #expect(warnings(report.stderr).first?.contains("the filters match more than 1000 instances") == true)
        #expect(report.hostRan)
    }

    @Test func maintenanceWindowsPastTheirBoundAreAStartUpErrorNamingTheVariable() async throws {
        let entries = (0..<51).map { _ in "daily 02:00-03:00 container_down" }.joined(separator: ";")
        let result = try await WatchdogProcess.run(["check-config"], environment: ["WATCHDOG_MAINTENANCE": entries])
        #expect(result.status == 2)
        #expect((result.stdout + result.stderr).contains("WATCHDOG_MAINTENANCE") == true)
        #expect((result.stdout + result.stderr).contains("at most 50") == true)
    }

    @Test func aStandingSilencePastItsBoundIsAStartUpErrorNamingTheVariable() async throws {
        let result = try await WatchdogProcess.run(
            ["check-config"], environment: ["WATCHDOG_MUTE": SilenceBoundsTests.longKey])
        #expect(result.status == 2)
        let said = result.stdout + result.stderr
        #expect(said.contains("WATCHDOG_MUTE") && said.contains("has a value over 1000 bytes"))
    }

    @Test func aStateFilePastItsBoundIsSetAsideAndTheWatchdogRunsOn() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("state.json", "{}")
        #expect(truncate(path, off_t(StateFile.sizeLimit + 1)) == 0)
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: Self.quietHost.merging([
                "WATCHDOG_STATE_FILE": path, "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug",
            ]) { _, new in new })
        try await watchdog.waitForStderr(occurrences: 2, of: "tick done", timeout: 30)
        watchdog.terminate()
        let result = try await watchdog.wait(timeout: 10)
        #expect(result.status == 0)
        #expect(result.stderr.contains("larger than \(StateFile.sizeLimit) bytes"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.contains { $0.hasPrefix("state.json.corrupt-") })
    }

    @Test func aSilenceBodyPastItsBoundIsRefusedAndTheWatchdogRunsOn() async throws {
        let port = try freeLocalPort()
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: Self.quietHost.merging([
                "WATCHDOG_LISTEN": "127.0.0.1:\(port)", "WATCHDOG_API_TOKEN": "limits-token", "WATCHDOG_INTERVAL": "1s",
                "WATCHDOG_LOG_LEVEL": "debug",
            ]) { _, new in new })
        try await watchdog.waitForStderr(occurrences: 1, of: "tick done", timeout: 30)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v2/silences")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer limits-token")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"comment":""# + String(repeating: "x", count: 70 * 1024) + "\"}"))
        let answer = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await answer.body.collect(upTo: 1024 * 1024))
        #expect(answer.status.code == 400 && text.contains("over 65536 bytes"), "\(text)")
        // A silence over the matcher bound: refused with the reason every origin gives.
        var bounded = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v2/silences")
        bounded.method = .POST
        bounded.headers.add(name: "Authorization", value: "Bearer limits-token")
        bounded.body = .bytes(
            ByteBuffer(
                string: SilenceAPITests().silenceBody(
                    matchers: #"[{"name":"key","value":"\#(SilenceBoundsTests.longKey)","isRegex":false}]"#,
                    startsAt: "2030-01-01T00:00:00Z", endsAt: "2030-01-01T01:00:00Z")))
        let refused = try await HTTPClient.shared.execute(bounded, timeout: .seconds(10))
        let reason = String(buffer: try await refused.body.collect(upTo: 64 * 1024))
        #expect(refused.status.code == 400 && reason.contains("has a value over 1000 bytes"), "\(reason)")
        let ticks = watchdog.stderr.components(separatedBy: "tick done").count - 1
        try await watchdog.waitForStderr(occurrences: ticks + 2, of: "tick done", timeout: 20)
        let health = try await fetch("http://127.0.0.1:\(port)/healthz")
        #expect(health.status == 200)
        watchdog.terminate()
        _ = try await watchdog.wait(timeout: 10)
    }
}
