import Logging

/// All channels' outboxes, driven together: the tick stages a tick's notifications in
/// every outbox, has the state file written, then releases them to the workers.
public struct Delivery<C: Clock>: Sendable where C.Duration == Duration {
    public let outboxes: [ChannelOutbox<C>]
    public let digestAfter: Int

    public init(outboxes: [ChannelOutbox<C>], digestAfter: Int) {
        self.outboxes = outboxes
        self.digestAfter = digestAfter
    }

    public func stage(_ tick: TickNotifications) async {
        for outbox in outboxes {
            await outbox.stage(tick, digestAfter: digestAfter)
        }
    }

    public func release() async {
        for outbox in outboxes {
            await outbox.release()
        }
    }

    /// Pending messages per channel name, for the state file.
    public func snapshot() async -> [String: [OutboundMessage]] {
        var pending: [String: [OutboundMessage]] = [:]
        for outbox in outboxes {
            pending[outbox.channel.name] = await outbox.snapshot()
        }
        return pending
    }

    /// What each channel remembers of its delivered messages, for the state file.
    public func references() async -> [String: MessageReferences] {
        var references: [String: MessageReferences] = [:]
        for outbox in outboxes {
            let kept = await outbox.references
            if kept != MessageReferences() { references[outbox.channel.name] = kept }
        }
        return references
    }

    /// The outbox of the channel named `name`.
    public func outbox(named name: String) -> ChannelOutbox<C>? {
        outboxes.first { $0.channel.name == name }
    }

    /// What each channel has done since start and how much waits, for `/metrics`.
    public func statistics() async -> [ChannelStatistics] {
        var statistics: [ChannelStatistics] = []
        for outbox in outboxes {
            statistics.append(
                ChannelStatistics(
                    channel: outbox.channel.name, counters: await outbox.counters, depth: await outbox.pendingCount))
        }
        return statistics
    }

    public func setPersistence(_ persist: @escaping @Sendable () async -> Void) async {
        for outbox in outboxes {
            await outbox.setPersistence(persist)
        }
    }

    public func setDeliveryReport(_ report: @escaping @Sendable (_ announced: [String], _ at: C.Instant) async -> Void)
        async
    {
        for outbox in outboxes {
            await outbox.setDeliveryReport(report)
        }
    }

    /// Runs every channel's worker until the calling task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for outbox in outboxes {
                group.addTask { await outbox.run() }
            }
        }
    }

    /// Runs the workers until every outbox is empty or `timeout` passed (for `watchdog
    /// once`, which has no service running). Returns the channels left with messages.
    public func drain(timeout: Duration, clock: C) async -> [String] {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await run() }
            group.addTask {
                let deadline = clock.now.advanced(by: timeout)
                while clock.now < deadline, !Task.isCancelled {
                    var empty = true
                    for outbox in outboxes where await outbox.pendingCount > 0 { empty = false }
                    if empty { return }
                    try? await clock.sleep(for: .milliseconds(20))
                }
            }
            await group.next()
            group.cancelAll()
        }
        var left: [String] = []
        for outbox in outboxes where await outbox.pendingCount > 0 {
            left.append(outbox.channel.name)
        }
        return left
    }
}
