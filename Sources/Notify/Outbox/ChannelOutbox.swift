import Logging

/// The durable queue in front of one channel, and the worker that drains it (SPEC §5).
///
/// Messages are *staged* by the tick, written to the state file with everything else,
/// and only then *released* to the worker, so nothing is sent that a crash could
/// forget. The worker sends in order, one at a time: a retryable failure retries the
/// same message after the backoff (or the API's `retry_after`, exactly); a permanent
/// one drops it. After every delivery or drop it asks for the state file to be written,
/// so an acknowledged message is not sent again after a restart.
///
/// Every decision is `OutboxStateMachine`'s; this actor reads the clock, sleeps, sends,
/// persists and logs as it is told.
public actor ChannelOutbox<C: Clock> where C.Duration == Duration {
    public nonisolated let channel: any NotificationChannel
    public static var capacity: Int { OutboxStateMachine.capacity }
    public static var byteCapacity: Int { OutboxStateMachine.byteCapacity }

    private let clock: C
    private let origin: C.Instant
    private let random: @Sendable () -> Double
    private let logger: Logger
    private var persist: @Sendable () async -> Void = {}
    private var reportDelivery: @Sendable (_ announced: [String], _ at: C.Instant) async -> Void = { _, _ in }
    private var machine: OutboxStateMachine
    private var waiter: CheckedContinuation<Void, Never>?

    /// `pending` are messages loaded from the state file: already durable, so released.
    public init(
        channel: any NotificationChannel, pending: [OutboundMessage] = [],
        references: MessageReferences = MessageReferences(), clock: C,
        retryPolicy: RetryPolicy = RetryPolicy(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger
    ) {
        self.channel = channel
        self.machine = OutboxStateMachine(
            pending: pending, references: references, pacing: channel.pacing, retryPolicy: retryPolicy)
        self.clock = clock
        self.origin = clock.now
        self.random = random
        self.logger = logger
    }

    public var counters: OutboxCounters { machine.counters }

    /// Sets what the worker calls after each delivery or drop: writing the state file.
    public func setPersistence(_ persist: @escaping @Sendable () async -> Void) {
        self.persist = persist
    }

    /// Sets what the worker calls when a message that announces problems was delivered,
    /// with the notifications' ids and when (before the state file is written): the
    /// engine starts the escalation timers from it.
    public func setDeliveryReport(_ report: @escaping @Sendable (_ announced: [String], _ at: C.Instant) async -> Void)
    {
        reportDelivery = report
    }

    /// Renders this tick for the channel and stages the messages. Staged messages are in
    /// `snapshot()` but not sent until `release()`.
    public func stage(_ tick: TickNotifications, digestAfter: Int) {
        machine.stage(
            channel.messages(
                for: tick.routed(to: channel.name, threads: channel.threadsReplies), digestAfter: digestAfter))
    }

    /// Stages messages made outside a tick (a chat command's answer, a button press's
    /// edit); like a tick's, they go after the next state file write and `release()`.
    public func stage(messages: [OutboundMessage]) {
        machine.stage(messages)
    }

    /// What the channel remembers of its delivered messages: for the state file, and for
    /// reading a button press back to its key.
    public var references: MessageReferences { machine.references }

    /// Hands the staged messages to the worker; call after they were written to disk.
    /// Beyond the capacity the oldest messages are dropped and counted.
    public func release() {
        let channel = channel
        let dropped = machine.release { channel.coalesce(pending: $0, newer: $1) }
        if dropped > 0 {
            logger.error(
                "outbox full, oldest notifications dropped",
                metadata: ["channel": "\(channel.name)", "dropped": "\(dropped)"])
        }
        if machine.hasReleased {
            waiter?.resume()
            waiter = nil
        }
    }

    /// Everything not yet delivered, staged included: what the state file stores.
    public func snapshot() -> [OutboundMessage] {
        machine.snapshot
    }

    public var pendingCount: Int { machine.pendingCount }

    /// Drains the outbox until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            switch machine.next(at: origin.duration(to: clock.now)) {
            case .waitForWork:
                await waitForWork()
            case .sleep(let offset):
                do { try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) } catch { return }
            case .send(let message):
                let outcome = await sendLettingItFinish(message)
                if Task.isCancelled, !outcome.isDelivered { return }
                let finishedAt = clock.now
                let settled = machine.finished(
                    message, outcome: outcome, at: origin.duration(to: finishedAt), unit: random())
                if outcome.isDelivered, !message.announces.isEmpty {
                    await reportDelivery(message.announces, finishedAt)
                }
                await carryOut(settled)
            }
        }
    }

    /// How long a send already on the wire may go on after shutdown was asked. Cancelling
    /// it at once would throw away an answer that was on its way: the API has the message,
    /// the state file says it was never delivered, and the next start sends it again (a
    /// Bot API call has no idempotency key). Two seconds fit SPEC §8's five-second exit.
    public static var inFlightGrace: Duration { .seconds(2) }

    /// Sends in a task of its own that cancellation reaches only after `inFlightGrace`,
    /// on the real clock: the injected one may be a test's manual clock that nobody turns
    /// during a shutdown.
    private func sendLettingItFinish(_ message: OutboundMessage) async -> SendOutcome {
        let channel = channel
        let links = machine.resolvedLinks(of: message)
        let sending = Task { await channel.send(message, links: links) }
        return await withTaskCancellationHandler {
            await sending.value
        } onCancel: {
            Task {
                try? await Task.sleep(for: Self.inFlightGrace)
                sending.cancel()
            }
        }
    }

    private func carryOut(_ settled: OutboxStateMachine.Settled) async {
        switch settled {
        case .delivered(let id):
            logger.debug("notification delivered", metadata: ["channel": "\(channel.name)", "id": "\(id)"])
            await persist()
        case .rejected(let id, let reason):
            logger.error(
                "notification rejected by the API, dropped",
                metadata: ["channel": "\(channel.name)", "id": "\(id)", "reason": "\(reason)"])
            await persist()
        case .willRetry(let id, let reason, let attempt, let delay):
            logger.warning(
                "notification not delivered, will retry",
                metadata: [
                    "channel": "\(channel.name)", "id": "\(id)", "reason": "\(reason)",
                    "attempt": "\(attempt)", "retry_in_s": "\(delay.seconds)",
                ])
        }
    }

    private func waitForWork() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if machine.hasReleased || Task.isCancelled {
                    continuation.resume()
                } else {
                    waiter = continuation
                }
            }
        } onCancel: {
            Task { await self.wakeForCancellation() }
        }
    }

    private func wakeForCancellation() {
        waiter?.resume()
        waiter = nil
    }
}
