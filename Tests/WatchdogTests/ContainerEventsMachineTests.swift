import Collectors
import Foundation
import Logging
import TestSupport
import Testing

@testable import Watchdog

/// SPEC §10.2's events rules as tables, without a daemon: what the follower does for each
/// thing that happens to Docker's events stream. The real daemon's tests
/// (`ContainerEventsProcessTests`) show the same through the binary.
@Suite struct ContainerEventsMachineTests {
    typealias Input = ContainerEventsMachine.Input
    typealias Action = ContainerEventsMachine.Action
    static let grace: Duration = .seconds(120)
    static let warning = Action.log(
        .warning, "Docker events stream unavailable; ticks poll every container until it is back", error: "refused")

    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let steps: [(Input, [Action])]
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "start opens; an open stream re-judges everything",
            steps: [
                (.start, [.open]),
                (.opened, [.log(.debug, "Docker events stream open"), .rejudge]),
            ]),
        Row(
            name: "a crash re-judges now and again after the grace; a start now",
            steps: [
                (.start, [.open]), (.opened, [.log(.debug, "Docker events stream open"), .rejudge]),
                (.event(.die, changesState: true), [.rejudge, .recheck(after: .milliseconds(120_500))]),
                (.event(.start, changesState: true), [.rejudge]),
                (.event(.destroy, changesState: true), [.rejudge, .recheck(after: .milliseconds(120_500))]),
            ]),
        Row(
            name: "an event that changes nothing does nothing",
            steps: [
                (.start, [.open]), (.opened, [.log(.debug, "Docker events stream open"), .rejudge]),
                (.event(.kill, changesState: false), []), (.event(.oom, changesState: false), []),
                (.event(.die, changesState: false), []),
            ]),
        Row(
            name: "a closed stream re-judges and reopens soon",
            steps: [
                (.start, [.open]), (.opened, [.log(.debug, "Docker events stream open"), .rejudge]),
                (
                    .closed,
                    [
                        .log(.info, "Docker closed its events stream; reconnecting"), .rejudge,
                        .reconnect(after: .milliseconds(250)),
                    ]
                ),
                (.reconnectDue, [.open]),
            ]),
        Row(
            name: "a daemon that stays away: backoff to 8 s, one warning, one re-judging",
            steps: [
                (.start, [.open]),
                (.failed("refused"), [warning, .rejudge, .reconnect(after: .milliseconds(500))]),
                (.reconnectDue, [.open]), (.failed("refused"), [.reconnect(after: .seconds(1))]),
                (.reconnectDue, [.open]), (.failed("refused"), [.reconnect(after: .seconds(2))]),
                (.reconnectDue, [.open]), (.failed("refused"), [.reconnect(after: .seconds(4))]),
                (.reconnectDue, [.open]), (.failed("refused"), [.reconnect(after: .seconds(8))]),
                (.reconnectDue, [.open]), (.failed("refused"), [.reconnect(after: .seconds(8))]),
            ]),
        Row(
            name: "another problem is logged; back again is said once",
            steps: [
                (.start, [.open]),
                (.failed("refused"), [warning, .rejudge, .reconnect(after: .milliseconds(500))]),
                (.reconnectDue, [.open]),
                (
                    .failed("socket gone"),
                    [
                        .log(
                            .warning, "Docker events stream unavailable; ticks poll every container until it is back",
                            error: "socket gone"), .reconnect(after: .seconds(1)),
                    ]
                ),
                (.reconnectDue, [.open]),
                (.opened, [.log(.notice, "Docker events stream open again"), .rejudge]),
                (.failed("socket gone"), [.rejudge, .reconnect(after: .milliseconds(250))]),
                (.reconnectDue, [.open]),
                (.opened, [.log(.debug, "Docker events stream open"), .rejudge]),
            ]),
        Row(
            name: "an event clears the problem: the same problem later is logged again",
            steps: [
                (.start, [.open]),
                (.failed("refused"), [warning, .rejudge, .reconnect(after: .milliseconds(500))]),
                (.reconnectDue, [.open]),
                (.opened, [.log(.notice, "Docker events stream open again"), .rejudge]),
                (.event(.create, changesState: true), [.rejudge]),
                (.failed("refused"), [warning, .rejudge, .reconnect(after: .milliseconds(250))]),
            ]),
    ]

    @Test(arguments: rows)
    func theFollowersRules(_ row: Row) {
        var machine = ContainerEventsMachine(grace: Self.grace)
        for (index, (input, expected)) in row.steps.enumerated() {
            #expect(machine.handle(input) == expected, "step \(index + 1): \(input)")
        }
    }

    /// The driver runs the machine's timers on the clock it is given: a daemon that is
    /// not there is asked again after 0.5 s, 1 s, 2 s of that clock, and nothing sleeps
    /// for real.
    @Test func theBackoffRunsOnTheInjectedClock() async throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let client = DockerClient(socketPath: directory.path + "/no.sock", timeout: .seconds(1))
        let source = ContainerSource(
            collector: DockerCollector(client: client, names: ["db"], project: .none), grace: .seconds(120),
            restartLoop: .init(count: 3, window: .seconds(600)), texts: Texts(.en), clock: clock)
        let changes = Counter()
        let follower = Task { await source.follow(changed: { _ = changes.increment() }, logger: Logger(label: "test")) }
        defer { follower.cancel() }
        #expect(await eventually(timeout: .seconds(30)) { clock.sleeperCount == 1 })
        #expect(changes.count == 1)
        for step in [500, 1_000, 2_000] as [Int64] {
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .milliseconds(step - 1))
            #expect(clock.sleeperCount == 1, "not before \(step) ms")
            clock.advance(by: .milliseconds(1))
            #expect(await eventually(timeout: .seconds(30)) { clock.sleeperCount == 1 && clock.now.offset > .zero })
        }
        // Only the first failure asked for a read: the ticks poll meanwhile.
        #expect(changes.count == 1)
        follower.cancel()
        await follower.value
        #expect(clock.sleeperCount == 0)
    }
}
