import Foundation
import Testing

@testable import Collectors
@testable import Watchdog

/// SPEC §10.2 "How a container ended", from event sequences as `dockerd` sends them.
@Suite struct ContainerEndingsTests {
    func event(
        _ second: Int64, _ action: DockerEvent.Action, id: String = "c1", exit: Int? = nil, signal: String? = nil
    )
        -> DockerEvent
    {
        DockerEvent(
            timeNano: second * 1_000_000_000, id: id, name: "web", action: action, exitCode: exit, signal: signal)
    }

    func endings(_ events: [DockerEvent]) -> [ContainerEndings.Ending] {
        var endings = ContainerEndings()
        return events.compactMap { endings.apply($0) }
    }

    @Test func aDieWithoutARequestIsACrash() {
        #expect(endings([event(1, .start), event(9, .die, exit: 3)]) == [.crashed(exitCode: 3)])
        #expect(endings([event(9, .die, exit: 137)]) == [.killedBySignal(9)])
        #expect(endings([event(8, .oom), event(9, .die, exit: 137)]) == [.oomKilled])
    }

    @Test func dockerStopKillAndRmAreStopsOnRequest() {
        // docker stop: kill (TERM), die, stop; after its timeout a KILL too.
        #expect(
            endings([event(1, .kill, signal: "15"), event(2, .die, exit: 0), event(2, .stop)]) == [.stoppedOnRequest])
        #expect(
            endings([event(1, .kill, signal: "SIGTERM"), event(11, .kill, signal: "9"), event(11, .die, exit: 137)])
                == [.stoppedOnRequest])
        // docker rm -f: kill, die, destroy.
        #expect(
            endings([event(1, .kill, signal: "9"), event(1, .die, exit: 137), event(1, .destroy)]) == [
                .stoppedOnRequest
            ])
    }

    @Test func aReloadSignalIsNoRequestAndARequestIsUsedOnce() {
        #expect(endings([event(1, .kill, signal: "HUP"), event(60, .die, exit: 1)]) == [.crashed(exitCode: 1)])
        // docker restart, then a crash an hour later.
        #expect(
            endings([
                event(1, .kill, signal: "15"), event(2, .die, exit: 0), event(2, .stop), event(3, .start),
                event(3, .restart), event(3_600, .die, exit: 2),
            ]) == [.stoppedOnRequest, .crashed(exitCode: 2)])
        // A request long before the die does not excuse it.
        #expect(endings([event(1, .kill, signal: "15"), event(1_000, .die, exit: 1)]) == [.crashed(exitCode: 1)])
        // Another container's request does not excuse this one.
        #expect(endings([event(1, .kill, id: "c2", signal: "15"), event(2, .die, exit: 1)]) == [.crashed(exitCode: 1)])
    }
}

/// SPEC §10.2: what the events leave for the tick, which containers a tick inspects, and
/// how `container_down` reads an ending. Pure.
@Suite struct ContainerWatchStateTests {
    func event(
        _ second: Int64, _ action: DockerEvent.Action, name: String = "web", exit: Int? = nil, signal: String? = nil
    )
        -> DockerEvent
    {
        DockerEvent(
            timeNano: second * 1_000_000_000, id: "id-\(name)", name: name, action: action, exitCode: exit,
            signal: signal, composeProject: name.hasPrefix("shop-") ? "shop" : nil)
    }

    func listed(_ name: String, _ state: String = "running") -> ListedContainer {
        ListedContainer(id: "id-\(name)", name: name, state: state)
    }

    @Test func eventsOfOtherContainersAndDuplicatesAreIgnored() {
        var state = ContainerWatchState()
        var applied: Bool
        applied = state.apply(event(1, .die, name: "other", exit: 1), watchedNames: ["web"])
        #expect(!applied)
        applied = state.apply(event(2, .die, exit: 1), watchedNames: ["web"])
        #expect(applied)
        applied = state.apply(event(2, .die, exit: 1), watchedNames: ["web"])  // seen again after a reconnect
        #expect(!applied)
        #expect(
            state.histories(of: ["web", "other"]) == [
                "web": .init(ending: .crashed(exitCode: 1), endedAt: Date(timeIntervalSince1970: 2))
            ])
        // A compose project's containers are matched by their label once it is resolved.
        applied = state.apply(event(3, .die, name: "shop-db-1", exit: 1), watchedNames: [])
        #expect(!applied)
        state.project = .resolved("shop")
        applied = state.apply(event(4, .die, name: "shop-db-1", exit: 1), watchedNames: [])
        #expect(applied)
    }

    @Test func aStopOnRequestIsRememberedUntilTheContainerStartsAgain() {
        var state = ContainerWatchState()
        var applied: Bool
        applied = state.apply(event(1, .kill, signal: "15"), watchedNames: ["web"])  // the die will say
        #expect(!applied)
        applied = state.apply(event(2, .die, exit: 0), watchedNames: ["web"])
        #expect(applied)
        applied = state.apply(event(2, .stop), watchedNames: ["web"])
        #expect(applied)
        let history = state.histories(of: ["web"])["web"]
        #expect(history?.ending == .stoppedOnRequest && history?.stopRequestedAt == Date(timeIntervalSince1970: 2))
        applied = state.apply(event(3, .start), watchedNames: ["web"])
        #expect(applied)
        #expect(state.histories(of: ["web"]).isEmpty)
        // A reload signal is no request.
        _ = state.apply(event(4, .kill, signal: "HUP"), watchedNames: ["web"])
        #expect(state.histories(of: ["web"]).isEmpty)
    }

    @Test func aTickInspectsOnlyWhatChangedWhileTheStreamIsOpen() {
        var state = ContainerWatchState()
        var names: [String]
        let all = [listed("web"), listed("db"), listed("old", "exited")]
        // No stream: every container, every tick, as a poll.
        names = state.takeNamesToInspect(all)
        #expect(names == ["web", "db", "old"])
        names = state.takeNamesToInspect(all)
        #expect(names == ["web", "db", "old"])
        for container in all {
            state.inspected[container.name] = ContainerStatus(
                name: container.name, id: container.id, state: container.state)
        }
        // Stream open: the first read reconciles everything, then only what changed.
        state.streamOpen = true
        names = state.takeNamesToInspect(all)
        #expect(names == ["web", "db", "old"])
        names = state.takeNamesToInspect(all)  // not running: always
        #expect(names == ["old"])
        let touched = state.apply(event(5, .health("unhealthy"), name: "db"), watchedNames: ["web", "db"])
        #expect(touched)
        names = state.takeNamesToInspect(all)
        #expect(names == ["db", "old"])
        names = state.takeNamesToInspect([listed("web", "restarting"), listed("db")])
        #expect(names == ["web"])
        names = state.takeNamesToInspect([ListedContainer(id: "new-id", name: "web", state: "running")])
        #expect(names == ["web"])
        // The daemon went away: everything again once it is back.
        state.daemonLost()
        #expect(state.version == nil)
        names = state.takeNamesToInspect(all)
        #expect(names == ["web", "db", "old"])
    }

    @Test func theListIsFilteredByNameOrProjectAndNamesMatchOnlyThemselves() {
        func decoded(_ query: String) -> String { query.removingPercentEncoding ?? "" }
        #expect(
            decoded(DockerCollector.listFilter(names: ["db", "a.b"], project: nil))
                == #"&filters={"name":["^/?db$","^/?a\\.b$"]}"#)
        #expect(
            decoded(DockerCollector.listFilter(names: [], project: "shop"))
                == #"&filters={"label":["com.docker.compose.project=shop"]}"#)
        #expect(DockerCollector.listFilter(names: ["db"], project: "shop") == "")
        #expect(DockerCollector.regexEscaped("a.b+c(d)") == #"a\.b\+c\(d\)"#)
    }

    func source(grace: Duration = .seconds(60)) -> ContainerSource {
        ContainerSource(
            collector: DockerCollector(
                client: DockerClient(socketPath: "/nonexistent", timeout: .seconds(1)), names: ["web"], project: .none),
            grace: grace, restartLoop: .init(count: 3, window: .seconds(600)), texts: Texts(.en),
            clock: ContinuousClock())
    }

    @Test func containerDownSaysHowItEndedAndAStopOnRequestWaitsTheGrace() {
        let died = Date(timeIntervalSince1970: 1_800_000_000)
        let exited = ContainerStatus(name: "web", id: "id-web", state: "exited", exitCode: 137, finishedAt: died)
        let source = source()
        func down(_ history: ContainerHistory?, at seconds: Double, logs: String? = nil) -> Signal {
            source.stopped(exited, history: history, logTail: logs, now: died.addingTimeInterval(seconds))
        }
        #expect(down(nil, at: 1).active && down(nil, at: 1).detail.hasPrefix("exited with code 137"))
        #expect(
            down(.init(ending: .crashed(exitCode: 3), endedAt: died), at: 0).detail.hasPrefix(
                "crashed with exit code 3"))
        #expect(down(.init(ending: .oomKilled, endedAt: died), at: 0).detail.hasPrefix("OOM-killed"))
        #expect(down(.init(ending: .killedBySignal(9), endedAt: died), at: 0).detail.hasPrefix("killed by signal 9"))
        let requested = ContainerHistory(ending: .stoppedOnRequest, endedAt: died, stopRequestedAt: died)
        #expect(!down(requested, at: 59).active)
        #expect(down(requested, at: 60).active && down(requested, at: 60).detail.hasPrefix("stopped on request"))
        #expect(down(nil, at: 1, logs: "boom\nbye").detail.hasSuffix("\nLast log lines:\nboom\nbye"))
    }

    @Test func aContainerMissingOrRemovingOnRequestIsNotDownWithinTheGrace() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let requested = ContainerHistory(stopRequestedAt: now.addingTimeInterval(-10))
        func downSignal(_ reading: DockerReading) -> Signal? {
            source().evaluate(reading, memory: nil, now: now).signals.first {
                $0.key == SignalKey(.containerDown, "web")
            }
        }
        let missing = DockerReading(apiVersion: "1.41", project: nil, containers: [], missing: ["web"])
        #expect(downSignal(missing)?.active == true)
        let replaced = DockerReading(
            apiVersion: "1.41", project: nil, containers: [], missing: ["web"], histories: ["web": requested])
        #expect(downSignal(replaced)?.active == false)
        let removing = DockerReading(
            apiVersion: "1.41", project: nil, containers: [ContainerStatus(name: "web", id: "x", state: "removing")],
            missing: [], histories: ["web": requested])
        #expect(downSignal(removing)?.active == false)
        let longAgo = ContainerHistory(stopRequestedAt: now.addingTimeInterval(-61))
        let stillMissing = DockerReading(
            apiVersion: "1.41", project: nil, containers: [], missing: ["web"], histories: ["web": longAgo])
        #expect(downSignal(stillMissing)?.active == true)
    }

    @Test func restartSamplesAreKeptOnlyWhenTheCountChangesAndTheWindowStartsFromTheLastOneBeforeIt() {
        let source = ContainerSource(
            collector: DockerCollector(
                client: DockerClient(socketPath: "/nonexistent", timeout: .seconds(1)), names: ["web"], project: .none),
            grace: .seconds(60), restartLoop: .init(count: 3, window: .seconds(600)), texts: Texts(.en),
            clock: ContinuousClock())
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var track = ContainerSource.Memory.Track()
        func restarts(_ count: Int, at seconds: Double) -> Signal? {
            let container = ContainerStatus(name: "web", id: "x", state: "running", restartCount: count)
            return source.evaluate(container, track: &track, now: start.addingTimeInterval(seconds))
                .first { $0.key == SignalKey(.containerRestarts, "web") }
        }
        // A thousand quiet ticks keep one sample.
        for tick in 0..<1_000 { _ = restarts(2, at: Double(tick)) }
        #expect(track.restartCounts.count == 1)
        // Three restarts within the window, long after the first sample: a loop.
        #expect(restarts(3, at: 2_000)?.active == false)
        #expect(restarts(4, at: 2_010)?.active == false)
        #expect(restarts(5, at: 2_020)?.active == true)
        // Ten minutes later the window starts at 5: quiet again, one old sample kept.
        #expect(restarts(5, at: 2_700)?.active == false)
        #expect(track.restartCounts.map(\.count) == [5])
    }
}
