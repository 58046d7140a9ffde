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
    /// What the follower's timers run on: the grace re-judging and the reconnect backoff.
    let clock: any Clock<Duration>
    private var state = ContainerWatchState()
    private let watchedNames: Set<String>

    init(
        collector: DockerCollector, logLines: Int, secrets: [String], grace: Duration,
        clock: any Clock<Duration>
    ) {
        self.clock = clock
        self.collector = collector
        self.grace = grace
        self.follower = DockerEventsFollower(client: collector.client)
        self.logLines = logLines
        self.secrets = secrets
        self.watchedNames = Set(collector.names)
    }

    /// Follows the events stream until cancelled, as `ContainerEventsMachine` says:
    /// reconnecting with backoff and `since=` where it left off, and calling `changed`
    /// when the watched containers should be judged now, not at the next tick. The
    /// machine's timers run on `clock`, as child tasks that end with the follower.
    nonisolated func follow(changed: @escaping @Sendable () -> Void, logger: Logger) async {
        let clock = self.clock
        var machine = ContainerEventsMachine(grace: grace)
        await withDiscardingTaskGroup { timers in
            /// Carries out every action but `open` and `reconnect`, which the loop does.
            func perform(_ actions: [ContainerEventsMachine.Action]) -> [ContainerEventsMachine.Action] {
                var left: [ContainerEventsMachine.Action] = []
                for action in actions {
                    switch action {
                    case .rejudge:
                        changed()
                    case .recheck(let after):
                        timers.addTask {
                            // Cancelled with the follower: then nothing is judged.
                            guard (try? await clock.sleep(for: after)) != nil else { return }
                            changed()
                        }
                    case .log(let level, let message, let error):
                        guard !Task.isCancelled else { continue }
                        logger.log(level: level, "\(message)", metadata: error.map { ["error": "\($0)"] })
                    case .open, .reconnect:
                        left.append(action)
                    }
                }
                return left
            }
            var pending = perform(machine.handle(.start))
            while !Task.isCancelled, !pending.isEmpty {
                switch pending.removeFirst() {
                case .reconnect(let after):
                    guard (try? await clock.sleep(for: after)) != nil else { return }
                    pending += perform(machine.handle(.reconnectDue))
                case .open:
                    let ended: ContainerEventsMachine.Input
                    do {
                        let version = try await prepared()
                        let since = await state.cursor.since
                        try await follower.follow(
                            version: version, since: since,
                            opened: {
                                await self.streamOpened()
                                pending += perform(machine.handle(.opened))
                            },
                            handle: { event in
                                let changesState = await self.apply(event)
                                pending += perform(machine.handle(.event(event.action, changesState: changesState)))
                            })
                        ended = .closed
                    } catch {
                        ended = .failed("\(error)")
                    }
                    await streamClosed()
                    if Task.isCancelled { return }
                    pending += perform(machine.handle(ended))
                default:
                    break
                }
            }
            timers.cancelAll()
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
