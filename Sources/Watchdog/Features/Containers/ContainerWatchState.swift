import Collectors
import FoundationEssentials

/// What the container source knows between ticks (SPEC §10.2), and the rules for what a
/// tick must ask Docker. Pure: the events stream and the tick's reads feed it, and it
/// answers which containers to inspect and what their events said; `ContainerWatch`
/// does the I/O.
struct ContainerWatchState: Sendable {
    /// The negotiated API version; nil until `/_ping` answered, and again after the daemon
    /// went away (a restarted daemon may be another version).
    var version: String?
    /// The compose project, once resolved (`auto` asks Docker once).
    var project: ProjectResolution = .unresolved
    /// Whether the events stream is open. While it is not, nothing says what changed
    /// between ticks, and every tick inspects every watched container, as a poll.
    var streamOpen = false
    /// Inspect every watched container at the next read: at start, and after the stream
    /// reconnected or the daemon came back, since events may have been missed.
    var reconcileAll = true
    var cursor = EventCursor()
    var endings = ContainerEndings()
    /// Per container name, what its events said since it last started.
    private(set) var histories: [String: ContainerHistory] = [:]
    /// Names events touched since the last read: these are inspected.
    private(set) var touched: Set<String> = []
    /// Per name, the last inspect document: reused while the list and the events say
    /// nothing changed.
    var inspected: [String: ContainerStatus] = [:]
    /// When the last list left watched containers out over the limit, the ones it kept:
    /// events of the others are not followed (they would re-read the list for nothing).
    /// nil when every watched container was kept.
    var watching: Set<String>?
    /// Per name, the last log lines of a stopped container and which ending they are of
    /// (id and finish time), so they are read once per death.
    var logTails: [String: (ending: String, text: String)] = [:]

    enum ProjectResolution: Sendable, Equatable {
        case unresolved
        case resolved(String?)
    }

    /// Histories kept at most; a project of thousands of containers must not grow this
    /// without end (the oldest are forgotten; the tick's inspect still judges them).
    static let historyCapacity = 1_000

    /// Takes one event of the stream. Answers whether it changes how a watched container
    /// must be judged, and so whether the tick should re-judge it now.
    mutating func apply(_ event: DockerEvent, watchedNames: Set<String>) -> Bool {
        guard cursor.admit(event) else { return false }
        let project: String? = if case .resolved(let name) = project { name } else { nil }
        guard
            watchedNames.contains(event.name)
                || (project != nil && event.composeProject == project && watching?.contains(event.name) != false)
        else { return false }
        let ending = endings.apply(event)
        var history = histories[event.name] ?? ContainerHistory()
        let changesState: Bool
        switch event.action {
        case .die:
            history.ending = ending
            history.endedAt = event.time
            changesState = true
        case .stop, .destroy:
            history.stopRequestedAt = event.time
            changesState = true
        case .kill:
            // A stopping signal is a request; the `die` that follows is what changes state.
            if let signal = event.signal, ContainerEndings.stoppingSignals.contains(signal.uppercased()) {
                history.stopRequestedAt = event.time
            }
            changesState = false
        case .start, .restart:
            history = ContainerHistory()
            changesState = true
        case .create, .pause, .unpause, .health:
            changesState = true
        case .oom, .other:
            changesState = false
        }
        histories[event.name] = history.isEmpty ? nil : history
        if histories.count > Self.historyCapacity,
            let oldest = histories.min(by: { ($0.value.endedAt ?? .distantPast) < ($1.value.endedAt ?? .distantPast) })
        {
            histories[oldest.key] = nil
        }
        if changesState { touched.insert(event.name) }
        return changesState
    }

    /// The names a read must inspect, given the list; clears what events touched.
    mutating func takeNamesToInspect(_ listed: [ListedContainer]) -> [String] {
        defer {
            touched = []
            if streamOpen { reconcileAll = false }
        }
        guard streamOpen, !reconcileAll else { return listed.map(\.name) }
        let lastSeen = inspected.mapValues { (id: $0.id, state: $0.state) }
        return ContainerList.toInspect(listed, lastSeen: lastSeen, named: touched)
    }

    /// Forgets what belongs to containers no longer listed.
    mutating func keepOnly(_ names: Set<String>) {
        inspected = inspected.filter { names.contains($0.key) }
        logTails = logTails.filter { names.contains($0.key) }
    }

    /// The histories of these names, for the reading.
    func histories(of names: some Sequence<String>) -> [String: ContainerHistory] {
        var chosen: [String: ContainerHistory] = [:]
        for name in names { chosen[name] = histories[name] }
        return chosen
    }

    /// The daemon went away: ask its version again, and inspect everything once back.
    mutating func daemonLost() {
        version = nil
        reconcileAll = true
    }
}
