import Collectors
import FoundationEssentials
import Logging

/// The I/O of the container source (SPEC §10.2): follows Docker's events stream for the
/// life of the source, and reads the watched containers at each tick with one list
/// request and an inspect of only those that changed. What it learns between the two
/// lives in a `ContainerWatchState`.
actor ContainerWatch {
    let collector: DockerCollector
    let follower: DockerEventsFollower
    /// With more than 0, the alert of a stopped container carries its last log lines.
    let logLines: Int
    /// Every configured secret: never in a log line shown in a chat.
    let secrets: [String]
    /// How long a container stopped on request may stay down: when it has passed, the
    /// container is judged again without waiting for the tick.
    let grace: Duration
    private var state = ContainerWatchState()
    private let watchedNames: Set<String>

    init(collector: DockerCollector, logLines: Int, secrets: [String], grace: Duration) {
        self.collector = collector
        self.grace = grace
        self.follower = DockerEventsFollower(client: collector.client)
        self.logLines = logLines
        self.secrets = secrets
        self.watchedNames = Set(collector.names)
    }

    /// The longest wait between two attempts to reopen the stream: each tick polls
    /// meanwhile, so this bounds only how long events are slower than they should be.
    static let longestReconnectDelay: Duration = .seconds(8)

    /// Follows the events stream until cancelled, reconnecting with backoff and `since=`
    /// where it left off. `changed` is called when an event (or a reopened stream) means
    /// the watched containers should be judged now, not at the next tick: also when the
    /// stream is lost (is the daemon gone?), and when the grace of a container stopped on
    /// request has passed.
    nonisolated func follow(changed: @escaping @Sendable () -> Void, logger: Logger) async {
        let grace = self.grace
        var failures = 0
        // What is wrong, said once: a daemon that breaks every stream it opens (an event
        // over the bound, again and again) must not write a warning every reconnect. It is
        // over when an event comes through.
        var lastProblem: String?
        var saidOpenAgain = false
        while !Task.isCancelled {
            var opened = false
            do {
                let version = try await prepared()
                let since = await state.cursor.since
                try await follower.follow(
                    version: version, since: since,
                    opened: {
                        opened = true
                        await self.streamOpened()
                        if lastProblem != nil, !saidOpenAgain {
                            logger.notice("Docker events stream open again")
                            saidOpenAgain = true
                        } else {
                            logger.debug("Docker events stream open")
                        }
                        changed()
                    },
                    handle: { event in
                        lastProblem = nil
                        saidOpenAgain = false
                        guard await self.apply(event) else { return }
                        changed()
                        if event.action == .die || event.action == .destroy {
                            // A stop on request is judged again when its grace is over; a
                            // container back by then is simply running.
                            Task {
                                try await Task.sleep(for: grace + .milliseconds(500))
                                changed()
                            }
                        }
                    })
                if !Task.isCancelled { logger.info("Docker closed its events stream; reconnecting") }
                // It was open and ended as a stream ends: whatever was wrong before is over.
                lastProblem = nil
                saidOpenAgain = false
            } catch {
                let problem = "\(error)"
                if !Task.isCancelled, problem != lastProblem {
                    // Logged when it changes, not at every attempt.
                    logger.warning(
                        "Docker events stream unavailable; ticks poll every container until it is back",
                        metadata: ["error": "\(problem)"])
                    lastProblem = problem
                    saidOpenAgain = false
                }
            }
            await streamClosed()
            if Task.isCancelled { break }
            failures = opened ? 0 : failures + 1
            // The stream just went, or the first attempt to reopen it failed: whether the
            // daemon is gone is for a read to say now, not at the next tick.
            if opened || failures == 1 { changed() }
            let delay = min(Self.longestReconnectDelay, .milliseconds(250) * (1 << min(failures, 6)))
            try? await Task.sleep(for: delay)
        }
    }

    /// The version to speak and the project resolved, asking Docker when not known yet.
    private func prepared() async throws -> String {
        if let version = state.version, case .resolved = state.project { return version }
        let version: String
        if let known = state.version {
            version = known
        } else {
            version = try await collector.negotiate()
            state.version = version
        }
        if case .unresolved = state.project {
            state.project = .resolved(try await collector.resolveProject(version: version))
        }
        return version
    }

    private func streamOpened() {
        state.streamOpen = true
        // Events may have been missed while it was closed: the next read inspects all.
        state.reconcileAll = true
    }

    private func streamClosed() {
        state.streamOpen = false
        state.version = nil
    }

    private func apply(_ event: DockerEvent) -> Bool {
        state.apply(event, watchedNames: watchedNames)
    }

    /// One tick's reading: one list, the inspects it calls for, the log lines of newly
    /// stopped containers. An unreachable daemon is a reading; the caller's tick is not
    /// failed by it.
    func read() async throws -> DockerReading {
        do {
            let version = try await prepared()
            let project: String? = if case .resolved(let name) = state.project { name } else { nil }
            let chosen = try await collector.list(
                version: version, project: project, preferring: Set(state.inspected.keys))
            let listed = chosen.containers
            let listedNames = Set(listed.map(\.name))
            state.watching = chosen.leftOut > 0 ? listedNames : nil
            for name in state.takeNamesToInspect(listed) {
                state.inspected[name] = try await collector.inspect(name, version: version)
            }
            state.keepOnly(listedNames)
            let containers = listed.compactMap { state.inspected[$0.name] }
            // Named but not listed (the list holds stopped ones too): no such container.
            let missing = collector.names.filter { !listedNames.contains($0) || state.inspected[$0] == nil }
            var logs: [String: String] = [:]
            if logLines > 0 {
                for container in containers where container.state == "exited" || container.state == "dead" {
                    logs[container.name] = await logTail(of: container, version: version)
                }
            }
            return DockerReading(
                apiVersion: version, project: project, containers: containers, missing: missing.sorted(),
                histories: state.histories(of: listedNames.union(missing)), logs: logs.compactMapValues { $0 },
                leftOut: chosen.leftOut, oversized: chosen.oversized)
        } catch let unreachable as DockerClient.Unreachable {
            state.daemonLost()
            return .unreachable(unreachable.description)
        }
    }

    /// The last log lines of a stopped container, read once per death; nil when it
    /// wrote nothing or they could not be read (the alert goes out without them).
    private func logTail(of container: ContainerStatus, version: String) async -> String? {
        let ending = container.id + "@" + (container.finishedAt.map { "\($0.timeIntervalSince1970)" } ?? "")
        if let kept = state.logTails[container.name], kept.ending == ending {
            return kept.text.isEmpty ? nil : kept.text
        }
        guard
            let text = try? await collector.logs(
                id: container.id, lines: logLines, tty: container.tty, version: version)
        else { return nil }
        let tail = DockerLogStream.tail(text, lines: logLines, secrets: secrets)
        state.logTails[container.name] = (ending, tail)
        return tail.isEmpty ? nil : tail
    }
}
