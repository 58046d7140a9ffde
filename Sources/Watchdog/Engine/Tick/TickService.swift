import FoundationEssentials
import Logging
import Notify
import ServiceLifecycle

/// The tick loop as a ServiceLifecycle service: the first tick at once, then one per
/// interval on a fixed grid, never two at a time.
///
/// On graceful shutdown (SIGTERM, SIGINT) the current tick gets `shutdownGrace` to
/// finish collecting; sources still running then are cancelled and count as unknown,
/// the tick is concluded and its notifications queued, the state file written, and
/// `run()` returns. Sending happens in `DeliveryService`, so a dead chat API never
/// delays detection.
public struct TickService<C: Clock>: Service where C.Duration == Duration {
    public let engine: TickEngine<C>
    let delivery: Delivery<C>
    let store: StateStore
    let clock: C
    let interval: Duration
    let shutdownGrace: Duration
    let wallClock: @Sendable () -> Date
    let logger: Logger
    /// Rung by event-following sources: they run at once between ticks.
    let doorbell: SourceDoorbell?
    /// The incident log each tick's changes go to (SPEC §14); nil: none is kept.
    let history: IncidentLog?
    /// `WATCHDOG_REPORT`.
    let reports: ReportSchedule
    let onTick: @Sendable (TickReport) async -> Void

    public init(
        engine: TickEngine<C>, delivery: Delivery<C>, store: StateStore, clock: C, interval: Duration,
        shutdownGrace: Duration = .seconds(2),
        wallClock: @escaping @Sendable () -> Date,
        logger: Logger,
        doorbell: SourceDoorbell? = nil, history: IncidentLog? = nil, reports: ReportSchedule = ReportSchedule(),
        onTick: @escaping @Sendable (TickReport) async -> Void = { _ in }
    ) {
        self.history = history
        self.reports = reports
        self.engine = engine
        self.delivery = delivery
        self.store = store
        self.clock = clock
        self.interval = interval
        self.shutdownGrace = shutdownGrace
        self.wallClock = wallClock
        self.logger = logger
        self.doorbell = doorbell
        self.onTick = onTick
    }

    public func run() async throws {
        var scheduled = clock.now
        var isFirstTick = true
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let report = await tick()
            if isFirstTick {
                logFirstTick(report)
                isFirstTick = false
            }
            await onTick(report)
            scheduled = nextTickStart(scheduled: scheduled, finishedAt: clock.now, interval: interval)
            let wakeUp = scheduled
            do {
                try await cancelWhenGracefulShutdown {
                    try await self.waitForTick(at: wakeUp)
                }
            } catch {
                break
            }
        }
        await store.save()
        logger.notice("tick loop stopped")
    }

    /// One whole tick: collect (cut short by shutdown), conclude, then queue the
    /// notifications durably: staged in every outbox, written to the state file with the
    /// engine's state in one write, and only then released to the senders.
    public func tick() async -> TickReport {
        let now = wallClock()
        let started = clock.now
        await followWallClock(now)
        logger.debug("tick started")
        let outcomes = await collectAllowingShutdownGrace(now: now)
        let evaluation = await engine.conclude(outcomes, now: now)
        log(outcomes: outcomes, evaluation: evaluation)
        for (source, note) in await engine.overLimitChanges(outcomes, evaluation: evaluation) {
            if let note {
                logger.warning(
                    "source over a limit; the rest is left out", metadata: ["source": "\(source)", "limit": "\(note)"])
            } else {
                logger.notice("source within its limits again", metadata: ["source": "\(source)"])
            }
        }
        await history?.record(evaluation.incidentChanges, now: now)
        var notifications = evaluation.notifications
        if let report = await report(now: now) { notifications.append(report) }
        await delivery.stage(TickNotifications(notifications: notifications, firing: evaluation.firing, now: now))
        await store.save(engine: await engine.state)
        await store.confirmStart()
        await delivery.release()
        return TickReport(
            time: now, instance: engine.settings.instance, outcomes: outcomes, evaluation: evaluation,
            duration: started.duration(to: clock.now))
    }

    /// Sleeps until `wakeUp`; meanwhile, whenever a source rings the doorbell, runs it.
    private func waitForTick(at wakeUp: C.Instant) async throws {
        guard let doorbell else {
            try await clock.sleep(until: wakeUp, tolerance: nil)
            return
        }
        let clock = self.clock
        while true {
            let rang = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await clock.sleep(until: wakeUp, tolerance: nil)
                    return false
                }
                group.addTask {
                    await doorbell.wait()
                    return true
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
            try Task.checkCancellation()
            guard rang else { return }
            let sources = doorbell.take()
            if !sources.isEmpty { await tick(only: sources) }
        }
    }

    /// The sources an event asked for, at once, between ticks: collected, concluded,
    /// queued and saved as a tick is. Their failures are left for the next tick to
    /// count, so events never hasten `collector_failed`.
    @discardableResult
    public func tick(only sources: Set<String>) async -> TickEvaluation? {
        let now = wallClock()
        await followWallClock(now)
        let outcomes = await engine.collect(now: now, only: sources).filter { $0.status == .ok }
        guard !outcomes.isEmpty else { return nil }
        let evaluation = await engine.conclude(outcomes, now: now)
        log(outcomes: outcomes, evaluation: evaluation)
        await history?.record(evaluation.incidentChanges, now: now)
        await delivery.stage(
            TickNotifications(notifications: evaluation.notifications, firing: evaluation.firing, now: now))
        await store.save(engine: evaluation.state)
        await delivery.release()
        return evaluation
    }

    /// The scheduled report due now, if one is (SPEC §14). On time within two ticks of
    /// its time; later, it says it is late.
    private func report(now: Date) async -> AlertNotification? {
        guard let due = await engine.takeReport(reports, now: now, lateAfter: max(60, 2 * interval.seconds)) else {
            return nil
        }
        let report = reportNotification(
            due, incidents: await history?.all() ?? [], state: await engine.state, settings: engine.settings)
        logger.notice(
            "scheduled report", metadata: ["scheduled": "\(due.scheduled.formatted(.iso8601))", "late": "\(due.late)"])
        return report
    }

    /// A step of the wall clock moves what the run kept, and is said once.
    private func followWallClock(_ now: Date) async {
        guard let step = await engine.followWallClock(now) else { return }
        logger.notice(
            "the wall clock stepped; times kept within the run moved with it, so no timer is cut short or stretched",
            metadata: ["step_s": "\((step * 1000).rounded() / 1000)"])
    }

    private func collectAllowingShutdownGrace(now: Date) async -> [SourceOutcome] {
        let (engine, clock, grace) = (self.engine, self.clock, self.shutdownGrace)
        return await withTaskGroup(of: [SourceOutcome]?.self) { group in
            group.addTask { await engine.collect(now: now) }
            group.addTask {
                // Returns nil when shutdown has waited long enough, or when cancelled
                // because collection finished first.
                do {
                    try await gracefulShutdown()
                    try await clock.sleep(for: grace)
                } catch {}
                return nil
            }
            var collected: [SourceOutcome] = []
            while let next = await group.next() {
                group.cancelAll()
                if let outcomes = next {
                    collected = outcomes
                    break
                }
            }
            return collected
        }
    }

    /// The first tick says at `info` what was read, so an operator starting the
    /// watchdog sees at once that it works and what it sees.
    private func logFirstTick(_ report: TickReport) {
        var metadata: Logger.Metadata = [:]
        for signal in report.signals {
            metadata[signal.key.description] = "\(signal.active ? "ACTIVE" : "ok"): \(signal.detail)"
        }
        for collector in report.collectors where collector.error != nil {
            metadata["collector:\(collector.name)"] = "failed: \(collector.error ?? "")"
        }
        logger.info("first tick done", metadata: metadata)
    }

    private func log(outcomes: [SourceOutcome], evaluation: TickEvaluation) {
        for outcome in outcomes {
            if case .failed(let error) = outcome.status {
                logger.warning(
                    "collector failed", metadata: ["collector": "\(outcome.source)", "error": "\(error)"])
            }
        }
        for decision in evaluation.decisions where decision.action != .none {
            logger.notice(
                "alert transition",
                metadata: [
                    "key": "\(decision.key)", "action": "\(decision.action.rawValue)",
                    "sent": "\(!decision.held)",
                ])
        }
        logger.debug(
            "tick done",
            metadata: [
                "collectors": "\(outcomes.count)",
                "failed": "\(outcomes.filter { if case .failed = $0.status { true } else { false } }.count)",
                "firing": "\(evaluation.state.alerts.values.filter(\.state.firing).count)",
                "notifications": "\(evaluation.notifications.count)",
                "silenced": "\(evaluation.silencedCount)",
                "inhibited": "\(evaluation.inhibitedByFamily.values.reduce(0, +))",
            ])
    }
}
