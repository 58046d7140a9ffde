import Collectors
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Watchdog

/// Docker's `/events` stream against a real `dockerd` (SPEC §10.2): what the daemon sends
/// when a container crashes, is stopped, or is killed from outside Docker, how
/// `ContainerEndings` reads it, resuming after a pause with `since`, and a dead
/// container's last log lines.
@Suite(.serialized, .enabled(if: RealDocker.available || RealDocker.required))
struct DockerEventsStreamTests {
    final class Collected: Sendable {
        let events = Mutex<[DockerEvent]>([])
        func append(_ event: DockerEvent) { events.withLock { $0.append(event) } }
        var all: [DockerEvent] { events.withLock { $0 } }
        func endings(of name: String) -> [ContainerEndings.Ending] {
            var endings = ContainerEndings()
            return all.filter { $0.name == name }.compactMap { endings.apply($0) }
        }
    }

    /// Follows the stream on a task of its own until cancelled.
    func follow(_ follower: DockerEventsFollower, version: String, since: String?, into collected: Collected)
        -> Task<Void, Never>
    {
        Task {
            try? await follower.follow(version: version, since: since) { collected.append($0) }
        }
    }

    /// Runs `body` with a daemon of its own, a client of its socket, the negotiated API
    /// version and a follower; the daemon is shut down when `body` returns or throws.
    func connected(_ body: (RealDocker, DockerClient, String, DockerEventsFollower) async throws -> Void)
        async throws
    {
        try await RealDocker.with { docker in
            let client = DockerClient(socketPath: docker.socket, timeout: .seconds(5))
            let version = try DockerAPIVersion.negotiate(try await client.get("/_ping").apiVersion)
            try await body(docker, client, version, DockerEventsFollower(client: client))
        }
    }

    /// Where following `collected` left off.
    func cursor(after collected: Collected) -> EventCursor {
        var cursor = EventCursor()
        for event in collected.all { _ = cursor.admit(event) }
        return cursor
    }

    @Test func crashesStopsAndOutsideKillsAreToldApartAndAPauseLosesNothing() async throws {
        try await connected { docker, client, version, follower in
            let collected = Collected()
            var task = follow(follower, version: version, since: nil, into: collected)
            // The stream is open once an event of a container made now arrives.
            try await docker.run(["create", "--name", "probe", RealDocker.image, "true"])
            #expect(await eventually(timeout: .seconds(10)) { collected.all.contains { $0.name == "probe" } })

            // Exits 3 by itself after a marker: a crash, with its exit code, seen at once.
            let started = ContinuousClock.now
            _ = try? await docker.run([
                "run", "--name", "crash", RealDocker.image, "sh", "-c", "echo MARKER-7f3; exit 3",
            ])
            #expect(
                await eventually(timeout: .seconds(5)) { collected.endings(of: "crash") == [.crashed(exitCode: 3)] })
            print("docker events: die seen \(started.duration(to: .now)) after docker run began")

            // docker stop: a stop on request.
            try await docker.run(["run", "-d", "--name", "svc", RealDocker.image, "sleep", "300"])
            try await docker.run(["stop", "-t", "1", "svc"])
            #expect(await eventually(timeout: .seconds(10)) { collected.endings(of: "svc") == [.stoppedOnRequest] })
            // docker kill: a stop on request too.
            try await docker.run(["run", "-d", "--name", "killed", RealDocker.image, "sleep", "300"])
            try await docker.run(["kill", "killed"])
            #expect(await eventually(timeout: .seconds(10)) { collected.endings(of: "killed") == [.stoppedOnRequest] })

            // SIGKILL to the container's process from outside Docker, by its host pid.
            try await docker.run(["run", "-d", "--name", "victim", RealDocker.image, "sleep", "300"])
            let pid = try #require(
                Int32(
                    try await docker.run(["inspect", "-f", "{{.State.Pid}}", "victim"]).stdout
                        .trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(kill(pid, SIGKILL) == 0)
            #expect(await eventually(timeout: .seconds(5)) { collected.endings(of: "victim") == [.killedBySignal(9)] })

            // A pause in following: what happened meanwhile arrives on resuming with `since`,
            // and what was seen before is dropped.
            task.cancel()
            await task.value
            var cursor = cursor(after: collected)
            let before = collected.all.count
            _ = try? await docker.run(["run", "--name", "missed", RealDocker.image, "sh", "-c", "exit 4"])
            let resumed = Collected()
            task = follow(follower, version: version, since: cursor.since, into: resumed)
            defer { task.cancel() }
            #expect(
                await eventually(timeout: .seconds(10)) {
                    resumed.all.contains { $0.name == "missed" && $0.action == .die }
                })
            let fresh = resumed.all.filter { cursor.admit($0) }
            #expect(fresh.allSatisfy { $0.name == "missed" })
            #expect(fresh.contains { $0.action == .die && $0.exitCode == 4 })
            #expect(collected.all.count == before)

            // The crashed container's last log lines, de-multiplexed.
            let logs = try await client.get("/v\(version)/containers/crash/logs?tail=5&stdout=1&stderr=1")
            #expect(logs.status == 200)
            #expect(DockerLogStream.text(of: logs.body, tty: false).contains("MARKER-7f3"))

            // The tick's one list: every container with its state, so that only those not
            // running are inspected.
            let list = try await client.get("/v\(version)/containers/json?all=true")
            let entries = try ContainerList.entries(list.body)
            #expect(Set(entries.map(\.name)).isSuperset(of: ["probe", "crash", "svc", "killed", "victim", "missed"]))
            #expect(entries.first { $0.name == "crash" }?.state == "exited")
            #expect(Set(ContainerList.toInspect(entries, lastSeen: [:], named: [])) == Set(entries.map(\.name)))
        }
    }

    @Test func theStreamEndsWhenTheDaemonGoesAndAResumeAfterItsRestartSeesWhatDied() async throws {
        try await connected { docker, _, version, follower in
            let collected = Collected()
            let ended = Mutex<String?>(nil)
            let task = Task {
                do {
                    try await follower.follow(version: version, since: nil) { collected.append($0) }
                    ended.withLock { $0 = "closed" }
                } catch {
                    ended.withLock { $0 = "\(error)" }
                }
            }
            try await docker.run(["create", "--name", "probe", RealDocker.image, "true"])
            #expect(await eventually(timeout: .seconds(10)) { collected.all.contains { $0.name == "probe" } })
            await docker.stopDaemon()
            #expect(await eventually(timeout: .seconds(15)) { ended.withLock { $0 } != nil })
            await task.value
            try await docker.startDaemon()
            let cursor = cursor(after: collected)
            _ = try? await docker.run(["run", "--name", "after", RealDocker.image, "sh", "-c", "exit 5"])
            let resumed = Collected()
            let again = follow(follower, version: version, since: cursor.since, into: resumed)
            defer { again.cancel() }
            #expect(
                await eventually(timeout: .seconds(10)) {
                    resumed.all.contains { $0.name == "after" && $0.action == .die && $0.exitCode == 5 }
                })
        }
    }
}
