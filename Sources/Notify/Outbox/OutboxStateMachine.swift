/// The decisions of one channel's outbox, as a value (SPEC §5): what is queued, what goes
/// next and when, what a send's outcome means. `ChannelOutbox` carries the actions out.
///
/// Times are offsets from the outbox's start on its clock, passed in by the caller, so
/// every decision is a pure function of the calls before it.
public struct OutboxStateMachine: Sendable {
    /// What the carrier does next.
    public enum Action: Sendable, Equatable {
        /// Send this message now; report its outcome with `finished(_:outcome:at:unit:)`.
        case send(OutboundMessage)
        /// Nothing may go before this offset (pacing or a retry's backoff).
        case sleep(until: Duration)
        /// Nothing is released: wait for `release()`.
        case waitForWork
    }

    /// What a send's outcome did, for the carrier to persist and log.
    public enum Settled: Sendable, Equatable {
        /// Delivered and removed: write the state file.
        case delivered(id: String)
        /// Refused for good and removed: write the state file, log the reason.
        case rejected(id: String, reason: String)
        /// Kept at the head; the next attempt, the `attempt`-th failure's, waits `delay`.
        case willRetry(id: String, reason: String, attempt: Int, delay: Duration)
    }

    public static let capacity = 1_000
    /// The bodies of pending messages together, at most: a thousand digests of a storm
    /// sent to a dead webhook must not become a state file of hundreds of megabytes.
    public static let byteCapacity = 1024 * 1024
    /// Attempts remembered for pacing; more than any pacing window needs.
    static let rememberedAttempts = 64

    public let pacing: Pacing
    public let retryPolicy: RetryPolicy

    private var released: [OutboundMessage]
    private var staged: [OutboundMessage] = []
    /// Offsets of recent attempts, oldest first, for pacing.
    private var recentAttempts: [Duration] = []
    private var failuresOfHead = 0
    private var retryHeadAt: Duration?
    private var inFlightID: String?
    public private(set) var counters = OutboxCounters()
    /// The ids of delivered messages that later ones reply to or edit (SPEC §5).
    public private(set) var references: MessageReferences

    /// `pending` are messages loaded from the state file: already durable, so released;
    /// `references` what the channel remembered of its delivered messages.
    public init(
        pending: [OutboundMessage] = [], references: MessageReferences = MessageReferences(), pacing: Pacing,
        retryPolicy: RetryPolicy = RetryPolicy()
    ) {
        let (kept, dropped) = Self.withinCapacity(pending)
        self.references = references
        self.released = kept
        self.pacing = pacing
        self.retryPolicy = retryPolicy
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

    /// Everything not yet delivered, staged included: what the state file stores.
    public var snapshot: [OutboundMessage] { released + staged }

    public var pendingCount: Int { released.count + staged.count }

    public var hasReleased: Bool { !released.isEmpty }

    /// Queues messages that are not to be sent before `release()`: the tick stages, has
    /// the state file written, then releases.
    public mutating func stage(_ messages: [OutboundMessage]) {
        staged += messages
    }

    /// Hands the staged messages to the sender. A message that supersedes the newest
    /// unsent one (`coalesce` says how) replaces it, never the one being sent right now.
    /// Beyond the capacity the oldest are dropped; returns how many.
    public mutating func release(
        coalesce: (_ pending: OutboundMessage, _ newer: OutboundMessage) -> OutboundMessage?
    ) -> Int {
        guard !staged.isEmpty else { return 0 }
        for message in staged {
            if let last = released.last, last.id != inFlightID, let merged = coalesce(last, message) {
                released[released.count - 1] = merged
            } else {
                released.append(message)
            }
        }
        staged = []
        let excess = Self.withinCapacity(released).dropped
        guard excess > 0 else { return 0 }
        released.removeFirst(excess)
        counters.dropped += excess
        failuresOfHead = 0
        retryHeadAt = nil
        return excess
    }

    /// What to do at `now`. A `.send` counts as an attempt for pacing.
    public mutating func next(at now: Duration) -> Action {
        // An edit of a message this channel never recorded (sent before threads, or a
        // digest's) has nothing to change: it goes without costing an attempt.
        while let head = released.first, head.id != inFlightID, references.resolve(head.links) == nil {
            released.removeFirst()
            failuresOfHead = 0
            retryHeadAt = nil
        }
        guard let head = released.first else { return .waitForWork }
        let notBefore = earliestAttempt()
        guard now >= notBefore else { return .sleep(until: notBefore) }
        recentAttempts.append(now)
        if recentAttempts.count > Self.rememberedAttempts {
            recentAttempts.removeFirst(recentAttempts.count - Self.rememberedAttempts)
        }
        inFlightID = head.id
        return .send(head)
    }

    /// The outcome of sending `message` (the last `.send`), at `now`; `unit` is a random
    /// number in 0..<1 for the backoff's jitter.
    public mutating func finished(
        _ message: OutboundMessage, outcome: SendOutcome, at now: Duration, unit: Double
    ) -> Settled {
        inFlightID = nil
        switch outcome {
        case .delivered, .deliveredAs:
            references.delivered(message.links, as: outcome.reference)
            removeHead(ifStill: message)
            counters.delivered += 1
            return .delivered(id: message.id)
        case .permanent(let reason):
            // An edit refused for good ("message to edit not found") will not be retried:
            // its reference has nothing more to give.
            if let key = message.links.editsKey { references.forget(key) }
            removeHead(ifStill: message)
            counters.rejected += 1
            return .rejected(id: message.id, reason: reason)
        case .retryable(let reason, let retryAfter):
            failuresOfHead += 1
            counters.retried += 1
            let delay = retryPolicy.delay(afterFailures: failuresOfHead, retryAfter: retryAfter, unit: unit)
            retryHeadAt = now + delay
            return .willRetry(id: message.id, reason: reason, attempt: failuresOfHead, delay: delay)
        }
    }

    /// The ids `message`'s links name, as known now.
    public func resolvedLinks(of message: OutboundMessage) -> ResolvedLinks {
        references.resolve(message.links) ?? .none
    }

    /// The head may have been dropped by `release` while it was being sent.
    private mutating func removeHead(ifStill message: OutboundMessage) {
        if released.first?.id == message.id { released.removeFirst() }
        failuresOfHead = 0
        retryHeadAt = nil
    }

    private func earliestAttempt() -> Duration {
        let paced = pacing.earliestNextSend(after: recentAttempts)
        guard let retryHeadAt else { return paced }
        return max(paced, retryHeadAt)
    }
}
