import FoundationEssentials
import Logging
import Notify
import ServiceLifecycle

/// Asks Pushover, for every emergency still ringing, whether someone acknowledged it in
/// the app (SPEC §4.3): an acknowledged receipt acknowledges its key, through the same
/// path as the chat and the API. One service per Pushover channel with
/// `?priority=emergency`; every `every` (the tick interval, at least Pushover's 5 s).
public struct PushoverReceiptPoller<C: Clock>: Service where C.Duration == Duration {
    let channel: PushoverChannel
    let outbox: ChannelOutbox<C>
    let engine: TickEngine<C>
    let keeper: any SilenceKeeper
    let clock: C
    let every: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    /// Pushover asks for no more than one receipt request every 5 seconds.
    public static var shortestPause: Duration { .seconds(5) }

    public init(
        channel: PushoverChannel, outbox: ChannelOutbox<C>, engine: TickEngine<C>, keeper: any SilenceKeeper,
        clock: C, interval: Duration, now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.channel = channel
        self.outbox = outbox
        self.engine = engine
        self.keeper = keeper
        self.clock = clock
        self.every = max(interval, Self.shortestPause)
        self.now = now
        self.logger = logger
    }

    /// The receipts to ask about: of keys still firing and not acknowledged, and not yet
    /// found expired or unknown. Pure.
    static func due(
        receipts: [String: MessageReferences.Reference], state: EngineState, finished: Set<String>
    ) -> [(key: SignalKey, receipt: String)] {
        receipts.compactMap { name, reference -> (SignalKey, String)? in
            guard let key = SignalKey(parsing: name), state.alerts[key]?.state.firing == true,
                state.silences.acknowledgements[key] == nil, !finished.contains(reference.message)
            else { return nil }
            return (key, reference.message)
        }.sorted { $0.0 < $1.0 }
    }

    /// Who acknowledged, as people read it: the device's name. Pushover names the user by
    /// their user key, a credential, which is never shown.
    static func acknowledger(_ receipt: PushoverReceipt) -> String {
        receipt.device.isEmpty ? "a Pushover user" : "\(receipt.device) (Pushover)"
    }

    public func run() async throws {
        let finished = Finished()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await poll(finished)
                do { try await clock.sleep(for: every) } catch { return }
            }
        }
    }

    private func poll(_ finished: Finished) async {
        let due = Self.due(
            receipts: await outbox.references.byKey, state: await engine.state, finished: await finished.receipts)
        for (key, receipt) in due {
            switch await channel.receipt(receipt) {
            case .success(let status) where status.acknowledged:
                let by = Self.acknowledger(status)
                if await keeper.acknowledge(key, by: by, via: channel.name, now: now()) {
                    logger.notice(
                        "acknowledged in Pushover",
                        metadata: ["key": "\(key)", "by": "\(by)", "channel": "\(channel.name)"])
                }
                await finished.add(receipt)
            case .success(let status) where status.expired:
                await finished.add(receipt)
            case .success:
                break
            case .failure(let failure):
                logger.warning(
                    "Pushover receipt could not be read",
                    metadata: ["key": "\(key)", "channel": "\(channel.name)", "reason": "\(failure.reason)"])
                if failure.permanent { await finished.add(receipt) }
            }
        }
    }

    /// The receipts not to ask about again in this run: expired, unknown, or acknowledged.
    private actor Finished {
        var receipts: Set<String> = []
        func add(_ receipt: String) { receipts.insert(receipt) }
    }
}
