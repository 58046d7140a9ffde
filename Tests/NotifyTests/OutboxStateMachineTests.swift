import Testing

@testable import Notify

/// The outbox's decisions as tables: each row is a script of events at given offsets
/// and what the machine answered to each, with no clock, actor or channel involved.
@Suite struct OutboxStateMachineTests {
    /// One event given to the machine, and the answer it is expected to give.
    enum Step: Sendable, CustomTestStringConvertible {
        /// Stage these messages and release them; `dropped` is what release answers.
        case release([String], dropped: Int)
        /// Ask what to do at this second; expect this action.
        case next(at: Double, OutboxStateMachine.Action)
        /// The message sent last had this outcome at this second; expect this settlement.
        case finished(String, SendOutcome, at: Double, OutboxStateMachine.Settled)

        var testDescription: String { "\(self)" }
    }

    static func message(_ id: String) -> OutboundMessage { OutboundMessage(id: id, body: "body \(id)") }

    /// A coalescing rule for the tables: a message whose id starts with "+" replaces the
    /// newest unsent one.
    static func coalesce(_ pending: OutboundMessage, _ newer: OutboundMessage) -> OutboundMessage? {
        newer.id.hasPrefix("+") ? newer : nil
    }

    static let telegramGroup = Pacing(minimumGap: .seconds(1), windowLimit: 3, window: .seconds(10))

    static let scripts: [(String, Pacing, [String], [Step])] = [
        (
            "an empty outbox waits for work, a release sends at once and in order",
            .unlimited, [],
            [
                .next(at: 0, .waitForWork),
                .release(["a", "b"], dropped: 0),
                .next(at: 0, .send(message("a"))),
                .finished("a", .delivered, at: 0, .delivered(id: "a")),
                .next(at: 0, .send(message("b"))),
                .finished("b", .delivered, at: 0, .delivered(id: "b")),
                .next(at: 0, .waitForWork),
            ]
        ),
        (
            "messages loaded from the state file go first",
            .unlimited, ["old"],
            [
                .release(["new"], dropped: 0),
                .next(at: 0, .send(message("old"))),
            ]
        ),
        (
            "a retryable failure keeps the head and backs off 1 s, 2 s, 4 s",
            .unlimited, [],
            [
                .release(["a", "b"], dropped: 0),
                .next(at: 0, .send(message("a"))),
                .finished(
                    "a", .retryable(reason: "503", retryAfter: nil), at: 0,
                    .willRetry(id: "a", reason: "503", attempt: 1, delay: .seconds(1))),
                .next(at: 0.5, .sleep(until: .seconds(1))),
                .next(at: 1, .send(message("a"))),
                .finished(
                    "a", .retryable(reason: "503", retryAfter: nil), at: 1,
                    .willRetry(id: "a", reason: "503", attempt: 2, delay: .seconds(2))),
                .next(at: 3, .send(message("a"))),
                .finished(
                    "a", .retryable(reason: "503", retryAfter: nil), at: 3,
                    .willRetry(id: "a", reason: "503", attempt: 3, delay: .seconds(4))),
                .next(at: 7, .send(message("a"))),
                .finished("a", .delivered, at: 7, .delivered(id: "a")),
                .next(at: 7, .send(message("b"))),
            ]
        ),
        (
            "the API's retry_after is waited exactly",
            .unlimited, [],
            [
                .release(["a"], dropped: 0),
                .next(at: 0, .send(message("a"))),
                .finished(
                    "a", .retryable(reason: "429", retryAfter: 7), at: 0,
                    .willRetry(id: "a", reason: "429", attempt: 1, delay: .seconds(7))),
                .next(at: 6.999, .sleep(until: .seconds(7))),
                .next(at: 7, .send(message("a"))),
            ]
        ),
        (
            "a permanent failure drops the message and the next one goes",
            .unlimited, [],
            [
                .release(["a", "b"], dropped: 0),
                .next(at: 0, .send(message("a"))),
                .finished("a", .permanent(reason: "400"), at: 0, .rejected(id: "a", reason: "400")),
                .next(at: 0, .send(message("b"))),
            ]
        ),
        (
            "pacing: a gap after each attempt and at most three in the window",
            telegramGroup, [],
            [
                .release(["a", "b", "c", "d"], dropped: 0),
                .next(at: 0, .send(message("a"))),
                .finished("a", .delivered, at: 0, .delivered(id: "a")),
                .next(at: 0, .sleep(until: .seconds(1))),
                .next(at: 1, .send(message("b"))),
                .finished("b", .delivered, at: 1, .delivered(id: "b")),
                .next(at: 2, .send(message("c"))),
                .finished("c", .delivered, at: 2, .delivered(id: "c")),
                .next(at: 3, .sleep(until: .seconds(10))),
                .next(at: 10, .send(message("d"))),
            ]
        ),
        (
            "a newer message that supersedes the newest unsent one replaces it",
            .unlimited, [],
            [
                .release(["a", "b"], dropped: 0),
                .release(["+b"], dropped: 0),
                .next(at: 0, .send(message("a"))),
                .finished("a", .delivered, at: 0, .delivered(id: "a")),
                .next(at: 0, .send(message("+b"))),
            ]
        ),
        (
            "the message being sent is never replaced",
            .unlimited, [],
            [
                .release(["a"], dropped: 0),
                .next(at: 0, .send(message("a"))),
                .release(["+a"], dropped: 0),
                .finished("a", .delivered, at: 0, .delivered(id: "a")),
                .next(at: 0, .send(message("+a"))),
            ]
        ),
    ]

    @Test(arguments: scripts)
    func scriptsAnswerAsTheTableSays(name: String, pacing: Pacing, loaded: [String], steps: [Step]) {
        var machine = OutboxStateMachine(pending: loaded.map(Self.message), pacing: pacing)
        for (index, step) in steps.enumerated() {
            let comment = Comment(rawValue: "\(name), step \(index + 1)")
            switch step {
            case .release(let ids, let dropped):
                machine.stage(ids.map(Self.message))
                #expect(machine.release(coalesce: Self.coalesce) == dropped, comment)
            case .next(let at, let action):
                #expect(machine.next(at: .milliseconds(Int64(at * 1000))) == action, comment)
            case .finished(let id, let outcome, let at, let settled):
                let answer = machine.finished(
                    Self.message(id), outcome: outcome, at: .milliseconds(Int64(at * 1000)), unit: 0.5)
                #expect(answer == settled, comment)
            }
        }
    }

    @Test func stagedMessagesAreStoredButNotSentUntilReleased() {
        var machine = OutboxStateMachine(pacing: .unlimited)
        machine.stage([Self.message("a")])
        #expect(machine.snapshot.map(\.id) == ["a"])
        #expect(machine.next(at: .zero) == .waitForWork)
        #expect(machine.release(coalesce: Self.coalesce) == 0)
        #expect(machine.next(at: .zero) == .send(Self.message("a")))
    }

    @Test func beyondTheCapacityTheOldestAreDroppedCountedAndTheHeadsBackoffForgotten() {
        var machine = OutboxStateMachine(pacing: .unlimited)
        machine.stage([Self.message("first")])
        _ = machine.release(coalesce: Self.coalesce)
        #expect(machine.next(at: .zero) == .send(Self.message("first")))
        _ = machine.finished(
            Self.message("first"), outcome: .retryable(reason: "503", retryAfter: 60), at: .zero, unit: 0.5)
        machine.stage((0..<OutboxStateMachine.capacity).map { Self.message("m\($0)") })
        #expect(machine.release(coalesce: Self.coalesce) == 1)
        #expect(machine.counters.dropped == 1)
        #expect(machine.pendingCount == OutboxStateMachine.capacity)
        #expect(machine.next(at: .seconds(1)) == .send(Self.message("m0")))
    }

    @Test func theCountersFollowTheOutcomes() {
        var machine = OutboxStateMachine(pacing: .unlimited)
        machine.stage(["a", "b", "c"].map(Self.message))
        _ = machine.release(coalesce: Self.coalesce)
        for outcome in [
            SendOutcome.retryable(reason: "x", retryAfter: 0), .delivered, .permanent(reason: "y"), .delivered,
        ] {
            guard case .send(let message) = machine.next(at: .seconds(1)) else {
                Issue.record("nothing to send")
                return
            }
            _ = machine.finished(message, outcome: outcome, at: .seconds(1), unit: 0.5)
        }
        var expected = OutboxCounters()
        expected.retried = 1
        expected.delivered = 2
        expected.rejected = 1
        #expect(machine.counters == expected)
        #expect(machine.next(at: .seconds(1)) == .waitForWork)
    }
}
