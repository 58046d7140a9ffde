import Logging

/// The durable queue in front of one channel, and the worker that drains it (SPEC §5).
///
/// Messages are *staged* by the tick, written to the state file with everything else,
/// and only then *released* to the worker, so nothing is sent that a crash could
/// forget. The worker sends in order, one at a time: a retryable failure retries the
/// same message after the backoff (or the API's `retry_after`, exactly); a permanent
/// one drops it. After every delivery or drop it asks for the state file to be written,
/// so an acknowledged message is not sent again after a restart.
public actor ChannelOutbox<C: Clock> where C.Duration == Duration {
    public nonisolated let channel: any NotificationChannel
    public static var capacity: Int { 1_000 }
    /// The bodies of pending messages together, at most: a thousand digests of a storm
    /// sent to a dead webhook must not become a state file of hundreds of megabytes.
    public static var byteCapacity: Int { 1024 * 1024 }

    private let clock: C
    private let origin: C.Instant
    private let retryPolicy: RetryPolicy
    private let random: @Sendable () -> Double
    private let logger: Logger
    private var persist: @Sendable () async -> Void = {}

    private var released: [OutboundMessage]
    private var staged: [OutboundMessage] = []
    /// Offsets from `origin` of recent attempts, for pacing.
    private var recentAttempts: [Duration] = []
    private var failuresOfHead = 0
    private var retryHeadAt: C.Instant?
    private var waiter: CheckedContinuation<Void, Never>?
    private var inFlightID: String?
    public private(set) var counters = OutboxCounters()

    /// `pending` are messages loaded from the state file: already durable, so released.
    public init(
        channel: any NotificationChannel, pending: [OutboundMessage] = [], clock: C,
        retryPolicy: RetryPolicy = RetryPolicy(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger
    ) {
        self.channel = channel
        let (kept, dropped) = Self.withinCapacity(pending)
        self.released = kept
        self.clock = clock
        self.origin = clock.now
        self.retryPolicy = retryPolicy
        self.random = random
        self.logger = logger
        self.counters.dropped = dropped
    }

    /// The newest messages that fit both capacities (the newest one always stays), and
    /// how many older ones do not.
    static func withinCapacity(_ messages: [OutboundMessage]) -> (kept: [OutboundMessage], dropped: Int) {
        var kept = 0
        var bytes = 0
        for message in messages.reversed() {
            bytes += message.body.utf8.count
            guard kept < capacity, kept == 0 || bytes <= byteCapacity else { break }
            kept += 1
        }
        return (Array(messages.suffix(kept)), messages.count - kept)
    }

    /// Sets what the worker calls after each delivery or drop: writing the state file.
    public func setPersistence(_ persist: @escaping @Sendable () async -> Void) {
        self.persist = persist
    }

    /// Renders this tick for the channel and stages the messages. Staged messages are in
    /// `snapshot()` but not sent until `release()`.
    public func stage(_ tick: TickNotifications, digestAfter: Int) {
        staged += channel.messages(for: tick, digestAfter: digestAfter)
    }

    /// Hands the staged messages to the worker; call after they were written to disk.
    /// Beyond the capacity the oldest messages are dropped and counted.
    public func release() {
        guard !staged.isEmpty else { return }
        for message in staged {
            // A message that supersedes the newest unsent one replaces it (never the one
            // being sent right now).
            if let last = released.last, last.id != inFlightID,
                let merged = channel.coalesce(pending: last, newer: message)
            {
                released[released.count - 1] = merged
            } else {
                released.append(message)
            }
        }
        staged = []
        let excess = Self.withinCapacity(released).dropped
        if excess > 0 {
            released.removeFirst(excess)
            counters.dropped += excess
            failuresOfHead = 0
            retryHeadAt = nil
            logger.error(
                "outbox full, oldest notifications dropped",
                metadata: ["channel": "\(channel.name)", "dropped": "\(excess)"])
        }
        waiter?.resume()
        waiter = nil
    }

    /// Everything not yet delivered, staged included: what the state file stores.
    public func snapshot() -> [OutboundMessage] {
        released + staged
    }

    public var pendingCount: Int { released.count + staged.count }

    /// Drains the outbox until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            guard let head = released.first else {
                await waitForWork()
                continue
            }
            let notBefore = earliestAttempt()
            if clock.now < notBefore {
                do { try await clock.sleep(until: notBefore, tolerance: nil) } catch { return }
                continue
            }
            recentAttempts.append(origin.duration(to: clock.now))
            if recentAttempts.count > 64 { recentAttempts.removeFirst(recentAttempts.count - 64) }
            inFlightID = head.id
            let outcome = await channel.send(head)
            inFlightID = nil
            if Task.isCancelled, outcome != .delivered { return }
            await handle(outcome, of: head)
        }
    }

    private func handle(_ outcome: SendOutcome, of message: OutboundMessage) async {
        switch outcome {
        case .delivered:
            removeHead(ifStill: message)
            counters.delivered += 1
            logger.debug("notification delivered", metadata: ["channel": "\(channel.name)", "id": "\(message.id)"])
            await persist()
        case .permanent(let reason):
            removeHead(ifStill: message)
            counters.rejected += 1
            logger.error(
                "notification rejected by the API, dropped",
                metadata: ["channel": "\(channel.name)", "id": "\(message.id)", "reason": "\(reason)"])
            await persist()
        case .retryable(let reason, let retryAfter):
            failuresOfHead += 1
            counters.retried += 1
            let delay = retryPolicy.delay(afterFailures: failuresOfHead, retryAfter: retryAfter, unit: random())
            retryHeadAt = clock.now.advanced(by: delay)
            logger.warning(
                "notification not delivered, will retry",
                metadata: [
                    "channel": "\(channel.name)", "id": "\(message.id)", "reason": "\(reason)",
                    "attempt": "\(failuresOfHead)", "retry_in_s": "\(delay.seconds)",
                ])
        }
    }

    /// The head may have been dropped by `release()` while it was being sent.
    private func removeHead(ifStill message: OutboundMessage) {
        if released.first?.id == message.id { released.removeFirst() }
        failuresOfHead = 0
        retryHeadAt = nil
    }

    private func earliestAttempt() -> C.Instant {
        let paced = origin.advanced(by: channel.pacing.earliestNextSend(after: recentAttempts))
        guard let retryHeadAt else { return paced }
        return max(paced, retryHeadAt)
    }

    private func waitForWork() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if !released.isEmpty || Task.isCancelled {
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
