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

        let channels = ChannelCatalog.channels(for: configuration, logger: logger)
        let pinger = configuration.heartbeatURL.map {
            HeartbeatPinger(url: $0.value, timeout: configuration.httpTimeout, logger: logger)
        }
        let assembly = await TickAssembly.make(
            configuration, channels: channels, writesState: true, logger: logger,
            onTick: { _ in await pinger?.tickCompleted() })
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: assembly.ticks, serviceName: "ticks"),
                .init(service: DeliveryService(delivery: assembly.delivery), serviceName: "delivery"),
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
                "sources": "\(assembly.ticks.engine.sources.map(\.name).joined(separator: ","))",
                "channels": "\(channels.map(\.name).joined(separator: ","))",
                "state_file": "\(configuration.stateFile ?? "none (in memory)")",
            ])
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.notice("watchdog stopped")
    }
}
