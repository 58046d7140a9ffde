import ArgumentParser
import Foundation
import Logging
import Notify
import ServiceLifecycle
import Watchdog

/// `watchdog run`: the service, until SIGTERM or SIGINT.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the watchdog service (the default command).")

    func run() async throws {
        let loaded = try loadConfigurationOrExit()
        let configuration = loaded.configuration
        let logger = prepareProcess(loaded)

        let clock = ContinuousClock()
        let persisted = StateStore.loadState(path: configuration.stateFile, logger: logger, now: Date())
        let sources = SourceCatalog.sources(for: configuration)
        let engineState = prunedState(persisted.engine, sources: sources, logger: logger)
        let engine = TickEngine(
            sources: sources, settings: DecisionSettings(configuration),
            collectTimeout: configuration.collectTimeout, clock: clock, state: engineState)
        let channels = ChannelCatalog.channels(for: configuration, logger: logger)
        let delivery = Delivery.make(
            channels: channels, pending: persisted.outboxes, digestAfter: configuration.digestAfter, clock: clock,
            logger: logger)
        let store = StateStore(path: configuration.stateFile, engine: engineState, logger: logger)
        await store.setOutboxes { await delivery.snapshot() }
        await delivery.setPersistence { await store.save() }

        let pinger = configuration.heartbeatURL.map {
            HeartbeatPinger(url: $0.value, timeout: configuration.httpTimeout, logger: logger)
        }
        let ticks = TickService(
            engine: engine, delivery: delivery, store: store, clock: clock, interval: configuration.interval,
            logger: logger, onTick: { _ in await pinger?.tickCompleted() })
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: ticks, serviceName: "ticks"),
                .init(service: DeliveryService(delivery: delivery), serviceName: "delivery"),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // SPEC §8: exit within 5 s of SIGTERM. The tick loop itself needs about its
        // 2 s collection grace; this is the backstop if anything else hangs.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(4)

        logger.notice(
            "watchdog started",
            metadata: [
                "instance": "\(configuration.instance)",
                "interval": "\(configuration.interval.seconds)s",
                "sources": "\(sources.map(\.name).joined(separator: ","))",
                "channels": "\(channels.map(\.name).joined(separator: ","))",
                "state_file": "\(configuration.stateFile ?? "none (in memory)")",
            ])
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.notice("watchdog stopped")
    }
}
