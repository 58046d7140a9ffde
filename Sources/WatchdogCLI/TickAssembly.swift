import FoundationEssentials
import Logging
import Notify
import Watchdog

/// The wired parts of a watchdog: tick service, delivery and state store, built the same
/// way for `run` and `once`.
struct TickAssembly {
    let ticks: TickService<ContinuousClock>
    let delivery: Delivery<ContinuousClock>
    let store: StateStore
    /// What the state file said of the chat, for the poller.
    let chat: ChatMemory
    /// Rung by the sources that follow events (Docker's), so they run between ticks.
    let doorbell: SourceDoorbell

    /// Loads the saved state (forgetting keys no configured source can judge), and joins
    /// engine, channels and state file. With `writesState` false nothing is written and
    /// nothing saved is sent (a dry run still decides from the saved state). A reload
    /// passes the old services' state as `handedOver`, which stands for the file.
    static func make(
        _ configuration: Configuration, channels: [any NotificationChannel], writesState: Bool, logger: Logger,
        heartbeatBoard: HeartbeatBoard? = nil, handedOver: PersistedState? = nil, history: IncidentLog? = nil,
        onTick: @escaping @Sendable (TickReport) async -> Void = { _ in }
    ) async -> TickAssembly {
        let clock = ProcessClocks.monotonic
        let sources = FeatureCatalog.sources(
            for: configuration, heartbeatBoard: heartbeatBoard, clock: ProcessClocks.monotonic)
        let persisted =
            handedOver
            ?? StateStore.loadState(
                path: configuration.stateFile, logger: logger, now: ProcessClocks.wall(), guardsStart: writesState)
        var (engineState, dropped) = persisted.engine.pruned(to: sources)
        if handedOver == nil {
            // Saved instants become this run's once: none later than now.
            engineState = engineState.rebased(at: ProcessClocks.wall(), sources: sources)
        }
        if configuration.publicURL != nil, engineState.ackSecret == nil {
            // Made once and kept in the state file, so links sent before a restart still work.
            engineState.ackSecret = .random()
        }
        if !dropped.isEmpty {
            logger.notice(
                "alerts of sources no longer configured are forgotten",
                metadata: ["keys": "\(dropped.map(\.description).joined(separator: ","))"])
        }
        let engine = TickEngine(
            sources: sources, settings: DecisionSettings(configuration, channels: channels.map(\.name)),
            collectTimeout: configuration.collectTimeout, clock: clock, state: engineState)
        let delivery = Delivery.make(
            channels: channels, pending: writesState ? persisted.outboxes : [:],
            references: writesState ? persisted.references : [:],
            digestAfter: configuration.digestAfter, clock: clock, logger: logger)
        let store = StateStore(
            path: writesState ? configuration.stateFile : nil, engine: engineState, logger: logger,
            now: ProcessClocks.wall)
        await store.setOutboxes { await delivery.snapshot() }
        await store.setReferences { await delivery.references() }
        await store.setChat(persisted.chat)
        await store.setEngineSource { await engine.state }
        await delivery.setPersistence { await store.save() }
        await delivery.setDeliveryReport { announced, at in await engine.recordDelivered(announced, at: at) }
        let doorbell = SourceDoorbell()
        let ticks = TickService(
            engine: engine, delivery: delivery, store: store, clock: clock, interval: configuration.interval,
            wallClock: ProcessClocks.wall, logger: logger, doorbell: doorbell, history: history,
            reports: configuration.reports, onTick: onTick)
        return TickAssembly(ticks: ticks, delivery: delivery, store: store, chat: persisted.chat, doorbell: doorbell)
    }
}
