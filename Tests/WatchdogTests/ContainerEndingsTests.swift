import Collectors
import Testing

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
