import Collectors
import FoundationEssentials
import Logging
import Notify

/// `container_down`, `container_unhealthy`, `container_restarts` and
/// `docker_unreachable` from the Docker Engine API (SPEC §3, §10.2).
///
/// It follows Docker's events: an event of a watched container re-judges it at once,
/// outside the tick, and tells a crash from a stop on request. Each tick reconciles
/// with one list request and inspects only what changed.
public struct ContainerSource: EventFollowingSource {
    public let name = "docker"
    public let ownership = KeyOwnership.families([
        .containerDown, .containerUnhealthy, .containerRestarts, .dockerUnreachable,
    ])
    let watch: ContainerWatch
    let grace: Duration
    let restartLoop: RestartLoop
    let texts: Texts

    /// `count` restarts within `window` make a restart loop.
    public struct RestartLoop: Sendable, Equatable {
        public var count: Int
        public var window: Duration

        public init(count: Int, window: Duration) {
            self.count = count
            self.window = window
        }
    }

    /// Per container: recent restart counts, and since when it has been restarting.
    public struct Memory: Sendable, Codable, Equatable {
        public var containers: [String: Track] = [:]

        public struct Track: Sendable, Codable, Equatable {
            public var restartCounts: [Sample] = []
            public var restartingSince: Date?
        }

        public struct Sample: Sendable, Codable, Equatable {
            public var at: Date
            public var count: Int
        }
    }

    /// `logLines` above 0 puts a stopped container's last log lines in its alert, with
    /// every one of `secrets` redacted. The events follower's timers run on `clock`.
    public init(
        collector: DockerCollector, grace: Duration, restartLoop: RestartLoop, texts: Texts, logLines: Int = 0,
        secrets: [String] = [], clock: any Clock<Duration>
    ) {
        self.watch = ContainerWatch(
            collector: collector, logLines: logLines, secrets: secrets, grace: grace, clock: clock)
        self.grace = grace
        self.restartLoop = restartLoop
        self.texts = texts
    }

    public func collect(now: Date) async throws -> DockerReading {
        try await watch.read()
    }

    public func follow(changed: @escaping @Sendable () -> Void, logger: Logger) async {
        await watch.follow(changed: changed, logger: logger)
    }

    public func evaluate(_ reading: DockerReading, memory: Memory?, now: Date) -> SourceEvaluation<Memory> {
        let unreachable = SignalKey(.dockerUnreachable)
        if let reason = reading.unreachable {
            return SourceEvaluation(
                signals: [
                    Signal(
                        key: unreachable, active: true, severity: .warning, title: texts.dockerUnreachableTitle(),
                        detail: reason)
                ],
                memory: memory,
                unknown: .families([.containerDown, .containerUnhealthy, .containerRestarts]))
        }
        var signals = [
            Signal(
                key: unreachable, active: false, severity: .warning, title: texts.dockerUnreachableTitle(),
                detail: reading.apiVersion.map { "Docker API \($0)" } ?? "")
        ]
        var next = Memory()
        var places: [String: ContainerPlace] = [:]
        for name in reading.missing {
            // Removed on request (`docker rm -f`, a recreation under way): not down yet.
            if isRecent(reading.histories[name]?.stopRequestedAt, now: now) {
                signals.append(down(name, active: false, detail: texts.containerBeingReplaced()))
            } else {
                signals.append(down(name, active: true, detail: texts.containerMissing()))
            }
        }
        for container in reading.containers {
            var track = memory?.containers[container.name] ?? Memory.Track()
            let own = evaluate(
                container, history: reading.histories[container.name], logTail: reading.logs[container.name],
                track: &track, now: now)
            // Causes are among what fires (SPEC §4.2): a quiet container needs no place.
            if own.contains(where: \.active) { places[container.name] = ContainerPlace(container) }
            signals += own
            next.containers[container.name] = track
        }
        return SourceEvaluation(
            signals: signals, memory: next, overLimit: Self.overLimit(reading), places: places)
    }

    /// What the list left out, in words that stay the same while the host does not
    /// shrink back under the limit (the tick logs a note when it changes).
    static func overLimit(_ reading: DockerReading) -> String? {
        var notes: [String] = []
        if reading.leftOut > 0 {
            notes.append(
                "more containers are watched by name or project than \(DockerCollector.maximumContainers);"
                    + " the first \(DockerCollector.maximumContainers) are watched, the rest left out")
        }
        if reading.oversized > 0 {
            notes.append(
                "container list entries over \(ContainerList.maximumEntryBytes) bytes were skipped")
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// The three container signals of one container; updates its track. `history` is
    /// what its events said (nil when nothing is known: then the inspect alone judges).
    func evaluate(
        _ container: ContainerStatus, history: ContainerHistory? = nil, logTail: String? = nil,
        track: inout Memory.Track, now: Date
    ) -> [Signal] {
        let name = container.name
        var signals: [Signal] = []

        // container_down
        if container.state == "restarting" {
            let since = track.restartingSince ?? now
            track.restartingSince = since
            let lasted = now.timeIntervalSince(since)
            signals.append(
                down(
                    name, active: lasted >= grace.seconds,
                    detail: texts.containerRestarting(for: DurationText.format(seconds: lasted))))
        } else {
            track.restartingSince = nil
            switch container.state {
            case "running":
                signals.append(down(name, active: false, detail: texts.containerRunning()))
            case "exited", "dead":
                signals.append(stopped(container, history: history, logTail: logTail, now: now))
            case "created" where isRecent(history?.stopRequestedAt, now: now),
                "removing" where isRecent(history?.stopRequestedAt, now: now):
                // Being removed or recreated on request (`docker rm -f`, `docker compose up
                // -d` between its destroy and its start): not down unless it stays so.
                signals.append(down(name, active: false, detail: texts.containerBeingReplaced()))
            default:  // created, paused, removing
                signals.append(down(name, active: true, detail: texts.containerState(container.state)))
            }
        }

        // container_unhealthy
        if let health = container.health {
            let unhealthyKey = SignalKey(.containerUnhealthy, name)
            let title = texts.containerUnhealthyTitle(name)
            switch health {
            case "unhealthy":
                signals.append(
                    Signal(
                        key: unhealthyKey, active: true, severity: .critical, title: title,
                        detail: texts.containerHealth(health, output: container.healthOutput)))
            case "starting":
                let started = container.startedAt ?? now
                let lasted = now.timeIntervalSince(started)
                signals.append(
                    Signal(
                        key: unhealthyKey, active: lasted >= grace.seconds, severity: .critical, title: title,
                        detail: texts.containerStartingTooLong(for: DurationText.format(seconds: lasted))))
            default:
                signals.append(
                    Signal(
                        key: unhealthyKey, active: false, severity: .critical, title: title,
                        detail: texts.containerHealth(health, output: nil)))
            }
        }

        // container_restarts: growth of the restart count within the window, or an OOM kill.
        // Only changes are kept (a sample per tick made the memory, which is encoded and
        // decoded every tick, hundreds of samples per container), and of the samples
        // older than the window the newest: its count is the one the window started with.
        let windowStart = now.addingTimeInterval(-restartLoop.window.seconds)
        if let firstInside = track.restartCounts.firstIndex(where: { $0.at >= windowStart }) {
            track.restartCounts.removeFirst(max(0, firstInside - 1))
        } else if track.restartCounts.count > 1 {
            track.restartCounts.removeFirst(track.restartCounts.count - 1)
        }
        if track.restartCounts.last?.count != container.restartCount {
            track.restartCounts.append(Memory.Sample(at: now, count: container.restartCount))
        }
        if track.restartCounts.count > 256 { track.restartCounts.removeFirst(track.restartCounts.count - 256) }
        let lowest = track.restartCounts.map(\.count).min() ?? container.restartCount
        // Docker's numbers, and the remembered ones from the state file: saturate, never trap.
        let (difference, overflow) = container.restartCount.subtractingReportingOverflow(lowest)
        let growth = overflow ? (lowest < 0 ? Int.max : 0) : difference
        let restartsKey = SignalKey(.containerRestarts, name)
        let restartsTitle = texts.containerRestartsTitle(name)
        if container.oomKilled {
            signals.append(
                Signal(
                    key: restartsKey, active: true, severity: .warning, title: restartsTitle,
                    detail: texts.containerOOMKilled()))
        } else {
            signals.append(
                Signal(
                    key: restartsKey, active: growth >= restartLoop.count, severity: .warning, title: restartsTitle,
                    detail: texts.containerRestarted(
                        growth, within: DurationText.format(seconds: restartLoop.window.seconds))))
        }
        return signals
    }

    /// `container_down` of an exited or dead container: how it ended, from its events
    /// when they were seen, else from its inspect document. A stop on request waits the
    /// grace; anything else fires at once.
    func stopped(_ container: ContainerStatus, history: ContainerHistory?, logTail: String?, now: Date) -> Signal {
        let at = (history?.endedAt ?? container.finishedAt).map(ConsoleRenderer.timestamp)
        var detail: String
        var active = true
        switch history?.ending {
        case .stoppedOnRequest?:
            detail = texts.containerStoppedOnRequest(at: at)
            let since = history?.endedAt ?? history?.stopRequestedAt ?? container.finishedAt ?? now
            active = now.timeIntervalSince(since) >= grace.seconds
        case .crashed(let code)?:
            detail = texts.containerCrashed(code: code, at: at)
        case .oomKilled?:
            detail = texts.containerOOMKilledAt(at)
        case .killedBySignal(let signal)?:
            detail = texts.containerKilledBySignal(Int(signal), at: at)
        case nil:
            detail = texts.containerExited(code: container.exitCode, oomKilled: container.oomKilled, at: at)
        }
        if let logTail, !logTail.isEmpty {
            detail += "\n" + texts.containerLastLogLines() + "\n" + logTail
        }
        return down(container.name, active: active, detail: detail)
    }

    private func isRecent(_ time: Date?, now: Date) -> Bool {
        guard let time else { return false }
        return now.timeIntervalSince(time) < grace.seconds
    }

    private func down(_ name: String, active: Bool, detail: String) -> Signal {
        Signal(
            key: SignalKey(.containerDown, name), active: active, severity: .critical,
            title: texts.containerDownTitle(name), detail: detail)
    }
}
