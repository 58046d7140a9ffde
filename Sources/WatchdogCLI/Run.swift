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
        let heartbeats = HeartbeatBoard(names: configuration.heartbeats.map(\.name))
        let status = WatchdogStatus(mute: MuteList(configuration.mute))
        let metrics = WatchdogMetrics()
        let assembly = await TickAssembly.make(
            configuration, channels: channels, writesState: true, logger: logger, heartbeatBoard: heartbeats,
            onTick: { report in
                status.recordTick(finishedAt: .now, alerts: report.alerts)
                metrics.record(report, finishedAtUnixTime: Date().timeIntervalSince1970)
                await pinger?.tickCompleted()
            })
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: assembly.ticks, serviceName: "ticks"),
            .init(service: DeliveryService(delivery: assembly.delivery), serviceName: "delivery"),
        ]
        if let address = configuration.listen {
            let delivery = assembly.delivery
            let endpoint = Endpoint(
                status: status, metrics: metrics, heartbeats: heartbeats, pingToken: configuration.pingToken,
                staleAfter: HealthAnswer.staleAfter(
                    interval: configuration.interval, collectTimeout: configuration.collectTimeout),
                channelStatistics: { await delivery.statistics() })
            services.append(
                .init(
                    service: HTTPEndpointService(endpoint: endpoint, address: address, logger: logger),
                    serviceName: "http"))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
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
                "listen": "\(configuration.listen?.description ?? "off")",
            ])
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.notice("watchdog stopped")
    }
}
