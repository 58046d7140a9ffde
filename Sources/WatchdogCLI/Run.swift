import FoundationEssentials
import FoundationGaps
import Logging
import Notify
import ServiceLifecycle
import Synchronization
import Watchdog

/// `watchdog run`: the service, until SIGTERM or SIGINT.
///
/// SIGHUP re-reads the configuration (SPEC §8): an invalid one is logged, naming the
/// variable, and the running one stays; a valid one ends the running services
/// gracefully, as a SIGTERM would, and starts them anew with the new configuration and
/// everything the old ones knew (alert states, source memories, outboxes), handed over
/// in memory, so a watchdog without a state file keeps it all too.
struct Run {
    /// SPEC §2.1 keeps `WATCHDOG_INTERVAL` at 1 s or more for operators. The soak and
    /// crash harnesses (`scripts/soak.sh`, `scripts/crash.sh`) need 10,000 ticks in
    /// minutes, so they say so on the command line, where no `.env` can set it by mistake.
    /// `--harness-tick-interval`, hidden from the help.
    var harnessTickInterval: String?

    func run() async throws {
        let loaded = try await loadResolvedConfigurationOrExit()
        let logger = prepareProcess(loaded)
        let harnessInterval = try harnessTickInterval.map { text in
            guard let interval = ConfigValueParser.duration(text, bareUnitSeconds: 1), interval >= .milliseconds(10)
            else {
                try? OutputDescriptor.standardError.writeLine(
                    "--harness-tick-interval: \"\(text)\" is not a duration of at least 10ms")
                throw ExitStatus(2)
            }
            logger.warning(
                "tick interval set by --harness-tick-interval, for test harnesses only",
                metadata: ["interval": "\(text)"])
            return interval
        }
        let hangups = await HangupSignals()
        // One set of metrics for the life of the process: counters go on across reloads.
        let metrics = WatchdogMetrics()
        var configuration = loaded.configuration
        var handedOver: PersistedState?
        var history: (log: IncidentLog, path: String?, keep: Duration)?
        while true {
            if let harnessInterval { configuration.interval = harnessInterval }
            // One log per file for the life of the process: a reload that keeps the file
            // keeps what it holds in memory too.
            if history == nil || history?.path != configuration.historyPath
                || history?.keep != configuration.historyKeep
            {
                let log = IncidentLog(
                    path: configuration.historyPath, keep: configuration.historyKeep.seconds, logger: logger)
                await log.start(now: ProcessClocks.wall())
                history = (log, configuration.historyPath, configuration.historyKeep)
            }
            // A reload applies WATCHDOG_LOG_LEVEL too; WATCHDOG_LOG_FORMAT is the log
            // handler's, installed once per process, and needs a restart.
            var generationLogger = logger
            generationLogger.logLevel = configuration.logLevel
            let ended = try await runServices(
                configuration, handedOver: handedOver, hangups: hangups, metrics: metrics, history: history?.log,
                logger: generationLogger)
            guard let reload = ended else { break }
            configuration = await InstanceLabel.resolve(reload.configuration)
            handedOver = reload.state
            logger.notice("configuration reloaded; services restarted with every state kept")
        }
        logger.notice("watchdog stopped")
    }

    /// What a reload hands from the old services to the new ones.
    struct Reload {
        let configuration: Configuration
        let state: PersistedState
    }

    /// Runs one generation of the services until shutdown (nil) or a valid reload.
    private func runServices(
        _ configuration: Configuration, handedOver: PersistedState?, hangups: HangupSignals,
        metrics: WatchdogMetrics, history: IncidentLog?, logger: Logger
    ) async throws -> Reload? {
        let channels = ChannelCatalog.channels(for: configuration, logger: logger)
        let refusals = await MatrixRoomsAtStart.refusals(
            channels, variables: configuration.matrixVariables, logger: logger)
        if !refusals.isEmpty {
            // A reload checked its rooms before it was accepted; only a start gets here.
            for refusal in refusals { try? OutputDescriptor.standardError.writeLine(refusal) }
            throw ExitStatus(2)
        }
        let pinger = configuration.heartbeatURL.map {
            HeartbeatPinger(url: $0.value, timeout: configuration.httpTimeout, logger: logger)
        }
        let heartbeats = HeartbeatBoard(
            names: configuration.heartbeats.map(\.name), monotonicNow: { ProcessClocks.sinceStart() })
        let status = WatchdogStatus(
            configured: configuration.silences, instance: configuration.instance, escalation: configuration.escalation,
            history: history)
        let assembly = await TickAssembly.make(
            configuration, channels: channels, writesState: true, logger: logger, heartbeatBoard: heartbeats,
            handedOver: handedOver, history: history,
            onTick: { report in
                status.recordTick(finishedAt: ProcessClocks.monotonic.now, state: report.state)
                metrics.record(report, finishedAtUnixTime: report.finishedAt.timeIntervalSince1970)
                metrics.recordSilences(active: status.snapshot().silencesInForce(at: report.time).count)
                await pinger?.tickCompleted()
            })
        let reloaded = Mutex<Configuration?>(nil)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: assembly.ticks, serviceName: "ticks"),
            .init(service: DeliveryService(delivery: assembly.delivery), serviceName: "delivery"),
            .init(
                service: ConfigurationReloadService(
                    hangups: hangups, logger: logger,
                    accepted: { configuration in
                        reloaded.withLock { $0 = configuration }
                    }),
                successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "reload"),
        ]
        for case let source as any EventFollowingSource in assembly.ticks.engine.sources {
            services.append(
                .init(
                    service: SourceFollowingService(source: source, doorbell: assembly.doorbell, logger: logger),
                    serviceName: "events:\(source.name)"))
        }
        if configuration.telegram?.commands == true,
            let telegram = channels.lazy.compactMap({ $0 as? TelegramChannel }).first,
            let outbox = assembly.delivery.outbox(named: telegram.name)
        {
            let conversation = ChatConversation(
                engine: assembly.ticks.engine, store: assembly.store, status: status, outbox: outbox, channel: telegram,
                language: configuration.language, logger: logger, now: ProcessClocks.wall)
            // The long poll holds its request 25 s; the answer gets 15 s more.
            let poller = TelegramPoller(
                conversation: conversation, channel: telegram,
                post: HTTPPost(timeout: .seconds(TelegramPoller<ContinuousClock>.pollTimeout + 15)),
                clock: ProcessClocks.monotonic, logger: logger)
            services.append(.init(service: poller, serviceName: "chat"))
        }
        for matrix in channels.compactMap({ $0 as? MatrixChannel }) where matrix.settings.commands {
            guard let outbox = assembly.delivery.outbox(named: matrix.name) else { continue }
            let conversation = MatrixConversation(
                engine: assembly.ticks.engine, store: assembly.store, status: status, outbox: outbox, channel: matrix,
                language: configuration.language, logger: logger, now: ProcessClocks.wall)
            // The long poll holds its request 25 s; the answer gets 15 s more.
            let poller = MatrixPoller(
                conversation: conversation, channel: matrix,
                post: HTTPPost(timeout: .seconds(MatrixSync.pollTimeoutSeconds + 15)),
                clock: ProcessClocks.monotonic, logger: logger)
            services.append(.init(service: poller, serviceName: "chat:\(matrix.name)"))
        }
        for pushover in channels.compactMap({ $0 as? PushoverChannel }) where pushover.sendsEmergencies {
            guard let outbox = assembly.delivery.outbox(named: pushover.name) else { continue }
            services.append(
                .init(
                    service: PushoverReceiptPoller(
                        channel: pushover, outbox: outbox, engine: assembly.ticks.engine,
                        keeper: EngineSilenceKeeper(
                            engine: assembly.ticks.engine, store: assembly.store, status: status),
                        clock: ProcessClocks.monotonic, interval: configuration.interval, now: ProcessClocks.wall,
                        logger: logger),
                    serviceName: "pushover:\(pushover.name)"))
        }
        if let address = configuration.listen {
            let delivery = assembly.delivery
            let ackSecret = configuration.publicURL == nil ? nil : await assembly.ticks.engine.state.ackSecret
            let keeper = EngineSilenceKeeper(engine: assembly.ticks.engine, store: assembly.store, status: status)
            let endpoint = Endpoint(
                status: status, metrics: metrics, heartbeats: heartbeats, pingToken: configuration.pingToken,
                staleAfter: HealthAnswer.staleAfter(
                    interval: configuration.interval, collectTimeout: configuration.collectTimeout),
                channelStatistics: { await delivery.statistics() }, wallClock: ProcessClocks.wall,
                monotonicNow: { ProcessClocks.monotonic.now },
                silenceAPI: SilenceAPI(
                    keeper: keeper, token: configuration.apiToken,
                    staleAfter: HealthAnswer.staleAfter(
                        interval: configuration.interval, collectTimeout: configuration.collectTimeout),
                    logger: logger),
                ackLinks: ackSecret.map { AckLinkAPI(secret: $0, keeper: keeper, logger: logger) },
                statusPage: configuration.statusPage
                    ? StatusPageSettings(language: configuration.language, interval: configuration.interval) : nil)
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
        guard let next = reloaded.withLock({ $0 }) else { return nil }
        let state = PersistedState(
            savedAt: ProcessClocks.wall(), engine: await assembly.ticks.engine.state,
            outboxes: await assembly.delivery.snapshot(), references: await assembly.delivery.references(),
            chat: await assembly.store.chatMemory)
        return Reload(configuration: next, state: state)
    }
}

/// Waits for SIGHUP and reads the configuration again. An invalid one is logged with
/// every reason (each names its variable) and changes nothing; a valid one is handed to
/// `accepted` and the service returns, which shuts the group down gracefully so that
/// `Run` can start it anew.
struct ConfigurationReloadService: Service {
    let hangups: HangupSignals
    let logger: Logger
    let accepted: @Sendable (Configuration) -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while await hangups.next() {
                logger.notice("SIGHUP: reading the configuration again")
                do {
                    let loaded = try Configuration.load()
                    for warning in loaded.warnings {
                        logger.warning("configuration warning", metadata: ["warning": "\(warning)"])
                    }
                    let refusals = await MatrixRoomsAtStart.refusals(
                        ChannelCatalog.channels(for: loaded.configuration, logger: logger),
                        variables: loaded.configuration.matrixVariables, logger: logger)
                    guard refusals.isEmpty else {
                        logger.error(
                            "new configuration is invalid; the running one stays",
                            metadata: ["error": "\(refusals.joined(separator: "; "))"])
                        continue
                    }
                    accepted(loaded.configuration)
                    return
                } catch {
                    logger.error(
                        "new configuration is invalid; the running one stays",
                        metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

extension Configuration {
    /// Each URL channel's variable, by channel name, for errors that must name it.
    var matrixVariables: [String: String] {
        Dictionary(urlChannels.map { ($0.name, $0.variable) }, uniquingKeysWith: { first, _ in first })
    }
}
