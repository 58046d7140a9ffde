import Collectors
import Foundation
import TestSupport
import Testing

@testable import Watchdog

/// SPEC §12, scale is not failure: a Docker daemon with 10,000 compose containers answers
/// its list with about 12.7 MiB. That list once failed the 8 MiB answer bound and read as
/// `docker_unreachable`, and no container was watched. Now the list is read one entry at
/// a time, the first `DockerCollector.maximumContainers` are watched, and one warning
/// names the limit. The daemon is a stand-in (no test can start 10,000 containers),
/// checked first against the real `docker` CLI.
@Suite(.serialized) struct DockerScaleTests {
    static let project = "big"
    static let count = 10_000

    static var dockerCLI: String? {
        ["/usr/bin/docker", "/usr/local/bin/docker"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func theStandInAnswersTheRealDockerCLIAsADaemonWithTenThousandContainers() async throws {
        guard let cli = Self.dockerCLI else {
            if RealDocker.required { Issue.record("no docker CLI (scripts/test.sh installs docker.io)") }
            return
        }
        try await DockerEngineStandIn.with(project: Self.project, count: Self.count) { daemon in
            let host = "unix://\(daemon.socket)"
            let listed = try await RealDocker.shell([cli, "-H", host, "ps", "-a", "--format", "{{.Names}} {{.State}}"])
            #expect(listed.status == 0, "\(listed.stderr)")
            let lines = listed.stdout.split(separator: "\n")
            #expect(lines.count == Self.count)
            #expect(lines.first == "big-worker-10000 running" && lines.last == "big-worker-1 running")
            let filtered = try await RealDocker.shell([
                cli, "-H", host, "ps", "-a", "-q", "--filter", "label=com.docker.compose.project=\(Self.project)",
            ])
            #expect(filtered.stdout.split(separator: "\n").count == Self.count)
            let inspected = try await RealDocker.shell([
                cli, "-H", host, "inspect", "-f",
                "{{.State.Status}} {{.RestartCount}} {{index .Config.Labels \"com.docker.compose.service\"}}",
                "big-worker-7",
            ])
            #expect(inspected.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "running 0 worker-7")
            let missing = try await RealDocker.shell([cli, "-H", host, "inspect", "nosuch"])
            #expect(missing.status != 0 && missing.stderr.contains("No such"))
        }
    }

    /// The benchmarks' stand-in (`scripts/docker-standin.py`) answers as this one does,
    /// so what the real CLI accepted here holds for the numbers in BENCHMARKS.md.
    @Test func theBenchmarksStandInAnswersAsTheTestsOneDoes() async throws {
        try await DockerEngineStandIn.with(project: "pair", count: 3) { daemon in
            let directory = try TemporaryDirectory()
            let socket = directory.path + "/py.sock"
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/docker-standin.py").path
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            python.arguments = [script, socket, "--count", "3", "--project", "pair"]
            python.standardOutput = FileHandle.nullDevice
            try python.run()
            defer {
                // SIGKILL: the test runner's blocked signals are inherited, and the socket
                // goes with the temporary folder.
                kill(python.processIdentifier, SIGKILL)
                python.waitUntilExit()
            }
            let client = DockerClient(socketPath: socket, timeout: .seconds(5))
            // The socket file appears at bind, a moment before listen: under load a
            // connection in between is refused. Ready is when it answers.
            #expect(
                await eventually(timeout: .seconds(20)) {
                    (try? await client.get("/v1.41/version"))?.status == 200
                })
            let reference = DockerClient(socketPath: daemon.socket, timeout: .seconds(5))
            for path in ["/v1.41/containers/json?all=true", "/v1.41/containers/pair-worker-2/json", "/v1.41/version"] {
                let ours = try await client.get(path)
                let theirs = try await reference.get(path)
                #expect(ours.status == 200 && ours.apiVersion == theirs.apiVersion)
                let decoded = try JSONSerialization.jsonObject(with: Data(ours.body)) as? NSObject
                let expected = try JSONSerialization.jsonObject(with: Data(theirs.body)) as? NSObject
                #expect(decoded == expected, "\(path)")
            }
            #expect(try await client.get("/v1.41/containers/nosuch/json").status == 404)
        }
    }

    @Test func tenThousandContainersAreWatchedWithinTheLimitNeverAsAnUnreachableDaemon() async throws {
        try await DockerEngineStandIn.with(project: Self.project, count: Self.count) { daemon in
            let result = try await WatchdogProcess.run(
                ["once", "--json"],
                environment: [
                    "WATCHDOG_DOCKER_SOCK": daemon.socket, "WATCHDOG_COMPOSE_PROJECT": Self.project,
                    "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100",
                    // The stand-in answers from this test process, slow when the whole suite runs.
                    "WATCHDOG_HTTP_TIMEOUT": "30s", "WATCHDOG_COLLECT_TIMEOUT": "60s",
                ], timeout: 90)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let collectors = try #require(report["collectors"] as? [[String: Any]])
            let docker = try #require(collectors.first { $0["name"] as? String == "docker" })
            #expect(docker["status"] as? String == "ok", "\(docker["error"] ?? "")")
            let reading = try #require(docker["reading"] as? [String: Any])
            #expect(reading["unreachable"] == nil || reading["unreachable"] is NSNull)
            let containers = try #require(reading["containers"] as? [[String: Any]])
            #expect(containers.count == DockerCollector.maximumContainers)
            #expect(reading["left_out"] as? Int == Self.count - DockerCollector.maximumContainers)
            // The newest first, as Docker lists them.
            #expect(containers.first?["name"] as? String == "big-worker-10000")
            let signals = try #require(report["signals"] as? [[String: Any]])
            let unreachable = signals.first { $0["key"] as? String == "docker_unreachable" }
            #expect(unreachable?["active"] as? Bool == false)
            #expect(!signals.contains { $0["active"] as? Bool == true })
            #expect(result.stderr.contains("source over a limit"))
            #expect(result.stderr.contains("the first \(DockerCollector.maximumContainers) are watched"))
            // One list request for the tick, and one inspect per watched container.
            #expect(daemon.listRequests == 1)
        }
    }

    @Test func aRunningWatchdogWarnsOnceAndKeepsWatching() async throws {
        try await DockerEngineStandIn.with(project: Self.project, count: Self.count) { daemon in
            let watchdog = try WatchdogProcess.start(
                ["run"],
                environment: [
                    "WATCHDOG_DOCKER_SOCK": daemon.socket, "WATCHDOG_COMPOSE_PROJECT": Self.project,
                    "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100", "WATCHDOG_INTERVAL": "1s",
                    "WATCHDOG_LOG_LEVEL": "debug",
                ])
            try await watchdog.waitForStderr(occurrences: 4, of: "tick done", timeout: 60)
            // Every tick reads the list again. Under load a tick may find the last read
            // still running (and say so); what matters is that reading goes on.
            #expect(await eventually(timeout: .seconds(60)) { daemon.listRequests >= 4 })
            watchdog.terminate()
            let result = try await watchdog.wait(timeout: 10)
            #expect(result.status == 0)
            #expect(result.stderr.components(separatedBy: "source over a limit").count - 1 == 1, "\(result.stderr)")
            #expect(!result.stdout.contains("docker_unreachable") && !result.stdout.contains("Docker is unreachable"))
            // None saw the daemon as gone.
            #expect(!result.stderr.contains("larger than"))
        }
    }
}
