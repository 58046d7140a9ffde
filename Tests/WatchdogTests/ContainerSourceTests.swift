import Collectors
import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// The container source against a real dockerd: every case asserts the signals decided
/// from what the real collector read.
@Suite(.serialized, .enabled(if: RealDocker.available || RealDocker.required))
struct ContainerSourceTests {
    let texts = Texts(.en)

    func source(_ docker: RealDocker, names: [String], project: ComposeProject = .none, grace: Duration = .seconds(120))
        -> ContainerSource
    {
        ContainerSource(
            collector: DockerCollector(
                client: DockerClient(socketPath: docker.socket, timeout: .seconds(5)), names: names, project: project),
            grace: grace, restartLoop: .init(count: 3, window: .seconds(600)), texts: texts, clock: ContinuousClock())
    }

    /// Collects once and evaluates at `now`, returning signals by key.
    func signals(_ source: ContainerSource, now: Date = Date(), memory: ContainerSource.Memory? = nil) async throws
        -> (signals: [String: Signal], memory: ContainerSource.Memory?)
    {
        let evaluation = source.evaluate(try await source.collect(now: Date()), memory: memory, now: now)
        return (Dictionary(evaluation.signals.map { ($0.key.description, $0) }) { $1 }, evaluation.memory)
    }

    func waitFor(_ docker: RealDocker, _ name: String, _ template: String, toBe expected: String) async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let value = try await docker.run(["inspect", "-f", template, name]).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
            if value == expected { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let state = try await docker.run(["inspect", "-f", "{{json .State}}", name]).stdout
        throw RealDocker.Failure(description: "\(name): \(template) never became \(expected); state: \(state)")
    }

    /// Waits until Docker says the container was OOM-killed. The daemon learns it from an
    /// OOM event that races the exit (docker.io 20.10 here): on a busy machine the exit
    /// can win and the container ends with 137 and `OOMKilled: false`. The kernel did
    /// kill it; starting it again lets the daemon see it, up to three times.
    func waitForOOMKill(_ docker: RealDocker, _ name: String) async throws {
        for attempt in 1...3 {
            try await waitFor(docker, name, "{{.State.Status}}", toBe: "exited")
            let killed = try await docker.run(["inspect", "-f", "{{.State.OOMKilled}}", name]).stdout
            if killed.trimmingCharacters(in: .whitespacesAndNewlines) == "true" { return }
            if attempt < 3 { try await docker.run(["start", name]) }
        }
        try await waitFor(docker, name, "{{.State.OOMKilled}}", toBe: "true")
    }

    @Test func runningStoppedKilledExitedCreatedPausedAndRemovedContainers() async throws {
        let docker = try await RealDocker.start()
        do {
            try await docker.container("running", command: ["sleep", "300"])
            try await docker.container("exits3", command: ["sh", "-c", "exit 3"])
            try await docker.container("killed", command: ["sleep", "300"])
            try await docker.container("paused", command: ["sleep", "300"])
            try await docker.run(["create", "--name", "created", RealDocker.image, "true"])
            try await docker.run(["kill", "killed"])
            try await docker.run(["pause", "paused"])
            try await waitFor(docker, "exits3", "{{.State.Status}}", toBe: "exited")
            try await waitFor(docker, "killed", "{{.State.Status}}", toBe: "exited")

            let names = ["running", "exits3", "killed", "paused", "created", "gone"]
            let (found, _) = try await signals(source(docker, names: names))
            #expect(found["docker_unreachable"]?.active == false)
            #expect(found["container_down:running"]?.active == false)
            #expect(found["container_down:exits3"]?.active == true)
            #expect(found["container_down:exits3"]?.detail.hasPrefix("exited with code 3 at ") == true)
            #expect(found["container_down:killed"]?.detail.hasPrefix("exited with code 137") == true)
            #expect(found["container_down:paused"]?.detail == "state paused")
            #expect(found["container_down:created"]?.detail == "state created")
            #expect(found["container_down:gone"]?.detail == "missing: no such container")
            #expect(found["container_down:gone"]?.severity == .critical)

            // Stopped, then removed: exit code, then missing.
            try await docker.run(["stop", "-t", "1", "running"])
            let (stopped, _) = try await signals(source(docker, names: ["running"]))
            #expect(stopped["container_down:running"]?.active == true)
            #expect(stopped["container_down:running"]?.detail.hasPrefix("exited with code") == true)
            try await docker.run(["rm", "running"])
            let (removed, _) = try await signals(source(docker, names: ["running"]))
            #expect(removed["container_down:running"]?.detail == "missing: no such container")
        } catch {
            await docker.shutdown()
            throw error
        }
        await docker.shutdown()
    }

    /// In a container the default instance label is what Docker says about it: the
    /// compose project and service, else the Docker host's name; never the container id.
    @Test func theDefaultInstanceLabelComesFromTheContainersLabelsOrTheDockerHost() async throws {
        let docker = try await RealDocker.start()
        do {
            try await docker.container(
                "composed",
                ["--label", "com.docker.compose.project=shop", "--label", "com.docker.compose.service=watchdog"],
                command: ["sleep", "300"])
            try await docker.container("plain", command: ["sleep", "300"])
            let client = DockerClient(socketPath: docker.socket, timeout: .seconds(10))
            func id(_ name: String) async throws -> String {
                try await docker.run(["inspect", "-f", "{{.Id}}", name]).stdout.trimmingCharacters(
                    in: .whitespacesAndNewlines)
            }
            let composed = await OwnContainer.describe(id: try await id("composed"), client: client)
            #expect(
                InstanceLabel.choose(containerLabels: composed.labels, dockerHostName: composed.dockerHostName)?.label
                    == "shop/watchdog")

            let hostName = try await docker.run(["info", "-f", "{{.Name}}"]).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
            let plain = await OwnContainer.describe(id: try await id("plain"), client: client)
            #expect(!hostName.isEmpty && plain.dockerHostName == hostName)
            let chosen = InstanceLabel.choose(containerLabels: plain.labels, dockerHostName: plain.dockerHostName)
            #expect(chosen?.label == hostName && chosen?.origin == .dockerHost)

            // No daemon to ask: nothing is known, and the host name stays.
            await docker.stopDaemon()
            let unreachable = await OwnContainer.describe(id: String(repeating: "a", count: 64), client: client)
            #expect(unreachable == OwnContainer.Description())
        } catch {
            await docker.shutdown()
            throw error
        }
        await docker.shutdown()
    }

    @Test func oomKillsRestartLoopsAndHealthchecks() async throws {
        let docker = try await RealDocker.start()
        do {
            try await docker.container(
                "oom", ["--memory", "16m"], command: ["sh", "-c", "head -c 67108864 /dev/zero | tail"])
            try await docker.container("loop", ["--restart", "always"], command: ["sh", "-c", "exit 1"])
            try await docker.container(
                "sick", ["--health-cmd", "exit 1", "--health-interval", "1s", "--health-retries", "1"],
                command: ["sleep", "300"])
            try await docker.container(
                "well", ["--health-cmd", "true", "--health-interval", "1s"], command: ["sleep", "300"])
            try await docker.container(
                "slow", ["--health-cmd", "true", "--health-interval", "1h"], command: ["sleep", "300"])
            try await waitForOOMKill(docker, "oom")
            try await waitFor(docker, "sick", "{{.State.Health.Status}}", toBe: "unhealthy")
            try await waitFor(docker, "well", "{{.State.Health.Status}}", toBe: "healthy")

            let source = source(docker, names: ["oom", "loop", "sick", "well", "slow"])
            let first = try await signals(source)
            #expect(first.signals["container_restarts:oom"]?.active == true)
            #expect(first.signals["container_restarts:oom"]?.detail == "killed by the OOM killer")
            #expect(first.signals["container_down:oom"]?.detail.contains("killed by the OOM killer") == true)
            #expect(first.signals["container_unhealthy:sick"]?.active == true)
            #expect(first.signals["container_unhealthy:well"]?.active == false)
            #expect(first.signals["container_unhealthy:slow"]?.active == false)  // starting, within the grace
            #expect(first.signals["container_restarts:loop"]?.active == false)  // no growth seen yet

            // The restart count grows by 3 while the watchdog watches: a restart loop.
            let seen =
                Int(
                    try await docker.run(["inspect", "-f", "{{.RestartCount}}", "loop"]).stdout.trimmingCharacters(
                        in: .whitespacesAndNewlines)) ?? 0
            try await waitFor(docker, "loop", "{{ge .RestartCount \(seen + 3)}}", toBe: "true")
            let second = try await signals(source, memory: first.memory)
            #expect(second.signals["container_restarts:loop"]?.active == true)

            // Health `starting` beyond the grace counts as unhealthy.
            let late = try await signals(source, now: Date().addingTimeInterval(121), memory: second.memory)
            #expect(late.signals["container_unhealthy:slow"]?.active == true)
            #expect(
                late.signals["container_unhealthy:slow"]?.detail.hasPrefix("health still starting after 2m") == true)
        } catch {
            await docker.shutdown()
            throw error
        }
        await docker.shutdown()
    }

    @Test func aComposeProjectIsSelectedByItsLabel() async throws {
        let docker = try await RealDocker.start()
        do {
            let label = DockerCollector.projectLabel
            try await docker.container("p1-web", ["--label", "\(label)=p1"], command: ["sleep", "300"])
            try await docker.container("p1-db", ["--label", "\(label)=p1"], command: ["sh", "-c", "exit 2"])
            try await docker.container("p2-web", ["--label", "\(label)=p2"], command: ["sh", "-c", "exit 2"])
            try await waitFor(docker, "p1-db", "{{.State.Status}}", toBe: "exited")
            let reading = try await source(docker, names: [], project: .named("p1")).collect(now: Date())
            #expect(reading.project == "p1")
            #expect(reading.containers.map(\.name) == ["p1-db", "p1-web"])

            // `auto`: the watchdog inside p1-web finds its own project through its container id.
            let ownID = try await docker.run(["inspect", "-f", "{{.Id}}", "p1-web"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let own = try await source(docker, names: [], project: .ownContainer(id: ownID)).collect(now: Date())
            #expect(own.project == "p1")
            #expect(own.containers.map(\.name) == ["p1-db", "p1-web"])
            let stranger = try await source(
                docker, names: [], project: .ownContainer(id: String(repeating: "0", count: 64))
            )
            .collect(now: Date())
            #expect(stranger.project == nil && stranger.containers.isEmpty)
        } catch {
            await docker.shutdown()
            throw error
        }
        await docker.shutdown()
    }

    @Test func whileDockerIsUnreachableNoContainerAlertFiresOrResolves() async throws {
        let docker = try await RealDocker.start()
        do {
            try await docker.container("web", command: ["sh", "-c", "exit 1"])
            try await waitFor(docker, "web", "{{.State.Status}}", toBe: "exited")
            let settings = DecisionSettings(
                instance: "h", collectorFailedAfter: 3,
                policies: .standard(cooldown: .seconds(1800), processCooldown: nil),
                texts: texts)
            let engine = TickEngine(
                sources: [source(docker, names: ["web"])], settings: settings, collectTimeout: .seconds(20),
                clock: ContinuousClock())
            func tick() async -> [String] {
                let now = Date()
                return await engine.conclude(await engine.collect(now: now), now: now).notifications.map {
                    "\($0.key) \($0.action.rawValue)"
                }
            }
            #expect(await tick() == ["container_down:web fire"])
            await docker.stopDaemon()
            #expect(await tick() == ["docker_unreachable fire"])
            #expect(await tick() == [])
            #expect(await engine.state.alerts[SignalKey(.containerDown, "web")]?.state.firing == true)

            try await docker.startDaemon()  // the exited container is still there, still down
            let back = await tick()
            #expect(back == ["docker_unreachable resolve"])
        } catch {
            await docker.shutdown()
            throw error
        }
        await docker.shutdown()
    }
}

@Suite struct ContainerParsingTests {
    @Test func theInstanceLabelPrefersComposeThenTheDockerHost() {
        let project = "com.docker.compose.project"
        let service = "com.docker.compose.service"
        #expect(
            InstanceLabel.choose(containerLabels: [project: "shop", service: "wd"], dockerHostName: "h")?.label
                == "shop/wd")
        #expect(InstanceLabel.choose(containerLabels: [project: " shop "], dockerHostName: "h")?.label == "shop")
        #expect(
            InstanceLabel.choose(containerLabels: [project: " ", service: "wd"], dockerHostName: "h")?.origin
                == .dockerHost)
        #expect(InstanceLabel.choose(containerLabels: [:], dockerHostName: "  ") == nil)
        #expect(OwnContainer.dockerHostName(fromInfo: Array(#"{"Name":"docker-01","ID":"x"}"#.utf8)) == "docker-01")
        #expect(OwnContainer.dockerHostName(fromInfo: Array("[1,2]".utf8)) == nil)
    }

    @Test func ownContainerIdComesFromMountinfo() {
        let id = String(repeating: "ab12", count: 16)
        let mountinfo = "612 600 0:45 /var/lib/docker/containers/\(id)/hostname /etc/hostname rw - ext4 /dev/sda rw\n"
        #expect(OwnContainer.id(fromMountinfo: mountinfo) == id)
        #expect(OwnContainer.id(fromMountinfo: "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n") == nil)
        #expect(OwnContainer.id(fromCgroup: "12:memory:/docker/\(id)\n") == id)
        #expect(OwnContainer.id(fromCgroup: "0::/\n") == nil)
    }

    @Test func apiVersionsOlderThan141AreRefused() throws {
        #expect(try DockerAPIVersion.negotiate("1.47") == "1.47")
        #expect(try DockerAPIVersion.negotiate("1.41") == "1.41")
        #expect(throws: CollectorError.self) { try DockerAPIVersion.negotiate("1.40") }
        #expect(throws: CollectorError.self) { try DockerAPIVersion.negotiate(nil) }
        #expect(throws: CollectorError.self) { try DockerAPIVersion.negotiate("banana") }
    }

    @Test func inspectDocumentsParseDefensively() throws {
        let body =
            #"{"Id":"abc","Name":"/db","RestartCount":2,"State":{"Status":"exited","ExitCode":137,"OOMKilled":true,"StartedAt":"2026-11-23T14:36:09.743819338Z","FinishedAt":"0001-01-01T00:00:00Z","Health":{"Status":"unhealthy","Log":[{"Output":"boom"}]}},"Config":{"Labels":{"a":"b"}}}"#
        let status = try ContainerStatus.parse(Array(body.utf8))
        #expect(status.name == "db")
        #expect(status.exitCode == 137 && status.oomKilled && status.restartCount == 2)
        #expect(status.startedAt == Date(timeIntervalSince1970: 1_795_444_569))
        #expect(status.finishedAt == nil)
        #expect(status.health == "unhealthy" && status.healthOutput == "boom")
        #expect(throws: CollectorError.self) { try ContainerStatus.parse(Array("<html>".utf8)) }
        #expect(throws: CollectorError.self) { try ContainerStatus.parse(Array(#"{"Id":"x"}"#.utf8)) }
    }

    @Test func labelsStayOutOfTheJSONReading() throws {
        let status = ContainerStatus(name: "db", id: "x", state: "running", labels: ["myLabel": "v"])
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(status)) as? [String: Any])
        #expect(object["labels"] == nil)
        #expect(object["restart_count"] as? Int == 0)
    }

    @Test func aMissingSocketIsUnreachableAtOnce() async throws {
        let source = ContainerSource(
            collector: DockerCollector(
                client: DockerClient(socketPath: "/nonexistent/docker.sock", timeout: .seconds(5)), names: ["db"],
                project: .none),
            grace: .seconds(60), restartLoop: .init(count: 3, window: .seconds(600)), texts: Texts(.en),
            clock: ContinuousClock())
        let reading = try await source.collect(now: Date())
        #expect(reading.unreachable == "no Docker socket at /nonexistent/docker.sock")
    }

    @Test func restartLoopSettingsParse() throws {
        func loop(_ text: String) throws -> ContainerSource.RestartLoop {
            try Configuration.load(process: ["WATCHDOG_RESTART_LOOP": text], workingDirectory: nil).configuration
                .restartLoop
        }
        #expect(try loop("3/10m") == .init(count: 3, window: .seconds(600)))
        #expect(try loop("5") == .init(count: 5, window: .seconds(600)))
        #expect(try loop("2/90s") == .init(count: 2, window: .seconds(90)))
        #expect(throws: ConfigurationError.self) { try loop("often") }
        #expect(throws: ConfigurationError.self) { try loop("3/soon") }
    }
}
