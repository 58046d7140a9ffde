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

    /// SPEC §2.1 keeps `WATCHDOG_INTERVAL` at 1 s or more for operators. The soak and
    /// crash harnesses (`scripts/soak.sh`, `scripts/crash.sh`) need 10,000 ticks in
    /// minutes, so they say so on the command line, where no `.env` can set it by mistake.
    @Option(
        name: .customLong("harness-tick-interval"),
        help: ArgumentHelp("Tick interval below 1 s, for test harnesses only (e.g. 100ms).", visibility: .hidden))
    var harnessTickInterval: String?

    func run() async throws {
        let loaded = try loadConfigurationOrExit()
        var configuration = loaded.configuration
        let logger = prepareProcess(loaded)
        if let text = harnessTickInterval {
            guard let interval = ConfigValueParser.duration(text, bareUnitSeconds: 1), interval >= .milliseconds(10)
            else {
                FileHandle.standardError.write(
                    Data("--harness-tick-interval: \"\(text)\" is not a duration of at least 10ms\n".utf8))
                throw ExitCode(2)
            }
            configuration.interval = interval
            logger.warning(
                "tick interval set by --harness-tick-interval, for test harnesses only",
                metadata: ["interval": "\(text)"])
        }

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
