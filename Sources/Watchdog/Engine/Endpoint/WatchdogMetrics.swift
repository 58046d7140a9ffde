import FoundationEssentials
import Notify
import Prometheus
import Synchronization

/// The watchdog's own metrics for `GET /metrics` (SPEC §7), in a registry of their own.
///
/// Built on swift-prometheus' registry (its metric types are swift-metrics handlers)
/// rather than through the global `MetricsSystem`: every series gets a `# HELP` line,
/// which `promtool check metrics` requires, and tests can run several watchdogs in one
/// process without sharing a global.
public final class WatchdogMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let ticks: Counter
    private let tickDuration: DurationHistogram
    private let lastTick: Gauge
    /// One gauge per family, all known at start.
    private let signalsActive: [SignalFamily: Gauge]
    /// Notifications a silence held, per family.
    private let silenced: [SignalFamily: Counter]
    private let silencesActive: Gauge
    /// Notifications held behind a firing cause, per family: created on first use.
    private let inhibited = Mutex<[SignalFamily: Counter]>([:])
    /// Created on first use, one set per collector; the registry keeps them.
    private let collectors = Mutex<[String: CollectorSeries]>([:])
    /// Created on first use, one set per channel, with the outbox counters last exported
    /// so the Prometheus counters advance by the difference.
    private let channels = Mutex<[String: ChannelSeries]>([:])
    /// Escalations sent, per tier: created on first use.
    private let escalations = Mutex<[Int: Counter]>([:])
    /// Acknowledgements by where they came from, created on first use; and the ones
    /// already seen, so each is counted once whichever tick first sees it (nil until the
    /// first tick: those the state file brought were counted by the run that made them).
    private let acknowledgements = Mutex<(bySource: [String: Counter], seen: [SignalKey: Date]?)>(([:], nil))
    private let timeToAcknowledge: DurationHistogram

    static let acknowledgementBuckets: [Duration] = [
        .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(900), .seconds(1_800),
        .seconds(3_600), .seconds(7_200), .seconds(14_400), .seconds(28_800), .seconds(86_400),
    ]

    private struct CollectorSeries {
        let duration: DurationHistogram
        let errors: Counter
    }

    private struct ChannelSeries {
        let delivered: Counter
        let retried: Counter
        let rejected: Counter
        let dropped: Counter
        let depth: Gauge
        var exported = OutboxCounters()
    }

    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(30),
    ]

    public init() {
        ticks = registry.makeCounter(descriptor: Self.name("ticks", unit: "total", help: "Ticks completed."))
        tickDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "tick_duration", unit: "seconds", help: "Wall time of a whole tick: collection, decisions, queueing."),
            buckets: Self.durationBuckets)
        lastTick = registry.makeGauge(
            descriptor: Self.name(
                "last_tick_timestamp", unit: "seconds", help: "Unix time at which the last tick finished."))
        timeToAcknowledge = registry.makeDurationHistogram(
            descriptor: Self.name(
                "time_to_acknowledge", unit: "seconds",
                help: "From the start of a problem to its acknowledgement, from any source."),
            buckets: Self.acknowledgementBuckets)
        let registry = self.registry
        silenced = Dictionary(
            uniqueKeysWithValues: SignalFamily.allCases.map { family in
                (
                    family,
                    registry.makeCounter(
                        descriptor: Self.name(
                            "notifications_silenced", unit: "total",
                            help: "Fires, repeats and flapping notices a silence held, by family."),
                        labels: [("family", family.rawValue)])
                )
            })
        silencesActive = registry.makeGauge(
            descriptor: Self.name(
                "silences_active", unit: "",
                help: "Silences in force now: standing, maintenance windows, and those made from the chat or the API."))
        signalsActive = Dictionary(
            uniqueKeysWithValues: SignalFamily.allCases.map { family in
                (
                    family,
                    registry.makeGauge(
                        descriptor: Self.name(
                            "signals_active", unit: "", help: "Signal keys firing now (after debouncing), by family."),
                        labels: [("family", family.rawValue)])
                )
            })
    }

    /// Records one completed tick.
    public func record(_ report: TickReport, finishedAtUnixTime: Double) {
        ticks.increment()
        tickDuration.record(report.duration)
        lastTick.set(finishedAtUnixTime)
        for collector in report.collectors where collector.status != "not_due" {
            let series = collectorSeries(collector.name)
            series.duration.record(.milliseconds(collector.durationMs))
            if collector.status == "failed" { series.errors.increment() }
        }
        var firing: [SignalFamily: Int] = [:]
        for (key, alert) in report.alerts where alert.state.firing {
            firing[key.family, default: 0] += 1
        }
        for (family, gauge) in signalsActive {
            gauge.set(Double(firing[family] ?? 0))
        }
        recordEscalations(report.escalationsByTier)
        recordAcknowledgements(report.state)
        for (family, count) in report.silencedByFamily {
            if let series = SignalFamily(rawValue: family).flatMap({ silenced[$0] }) {
                series.increment(by: Int64(count))
            }
        }
        recordInhibited(report.inhibitedByFamily)
    }

    /// Counts the fires, repeats and flapping notices held behind a cause (SPEC §4.2).
    func recordInhibited(_ byFamily: [String: Int]) {
        guard !byFamily.isEmpty else { return }
        inhibited.withLock { series in
            for (name, count) in byFamily {
                guard let family = SignalFamily(rawValue: name) else { continue }
                let counter =
                    series[family]
                    ?? registry.makeCounter(
                        descriptor: Self.name(
                            "notifications_inhibited", unit: "total",
                            help: "Fires, repeats and flapping notices held behind a firing cause, by family."),
                        labels: [("family", family.rawValue)])
                series[family] = counter
                counter.increment(by: Int64(count))
            }
        }
    }

    /// Counts the escalations of one tick (SPEC §4.3), by tier.
    func recordEscalations(_ byTier: [Int: Int]) {
        guard !byTier.isEmpty else { return }
        escalations.withLock { series in
            for (tier, count) in byTier {
                let counter =
                    series[tier]
                    ?? registry.makeCounter(
                        descriptor: Self.name(
                            "escalations", unit: "total",
                            help: "Escalations sent to an on-call tier (reminders of the last tier included), by tier."),
                        labels: [("tier", String(tier))])
                series[tier] = counter
                counter.increment(by: Int64(count))
            }
        }
    }

    /// Counts the acknowledgements made since the last tick, by source, and how long each
    /// problem had been firing (SPEC §4.3).
    func recordAcknowledgements(_ state: EngineState) {
        acknowledgements.withLock { acknowledgements in
            guard let seen = acknowledgements.seen else {
                acknowledgements.seen = state.silences.acknowledgements.mapValues(\.at)
                return
            }
            for (key, acknowledgement) in state.silences.acknowledgements where seen[key] != acknowledgement.at {
                let source = acknowledgement.via ?? "chat"
                let counter =
                    acknowledgements.bySource[source]
                    ?? registry.makeCounter(
                        descriptor: Self.name(
                            "acknowledgements", unit: "total",
                            help:
                                "Acknowledgements, by where they came from: the chat or Pushover channel's name, api, link."
                        ),
                        labels: [("source", source)])
                acknowledgements.bySource[source] = counter
                counter.increment()
                if let since = state.alerts[key]?.state.since {
                    timeToAcknowledge.record(.seconds(max(0, acknowledgement.at.timeIntervalSince(since))))
                }
            }
            acknowledgements.seen = state.silences.acknowledgements.mapValues(\.at)
        }
    }

    public func recordSilences(active: Int) {
        silencesActive.set(Double(active))
    }

    /// Brings the delivery series up to date with the outboxes' counters.
    public func record(_ statistics: [ChannelStatistics]) {
        channels.withLock { channels in
            for channel in statistics {
                var series = channels[channel.channel] ?? makeChannelSeries(channel.channel)
                let (now, before) = (channel.counters, series.exported)
                series.delivered.increment(by: Int64(max(0, now.delivered - before.delivered)))
                series.retried.increment(by: Int64(max(0, now.retried - before.retried)))
                series.rejected.increment(by: Int64(max(0, now.rejected - before.rejected)))
                series.dropped.increment(by: Int64(max(0, now.dropped - before.dropped)))
                series.depth.set(Double(channel.depth))
                series.exported = now
                channels[channel.channel] = series
            }
        }
    }

    /// The Prometheus text exposition of everything recorded.
    public func exposition() -> String {
        registry.emitToString()
    }

    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "watchdog", metricName: metric, unitName: unit, helpText: help)
    }

    private func collectorSeries(_ name: String) -> CollectorSeries {
        collectors.withLock { collectors in
            if let series = collectors[name] { return series }
            let labels = [("collector", name)]
            let series = CollectorSeries(
                duration: registry.makeDurationHistogram(
                    descriptor: Self.name(
                        "collector_duration", unit: "seconds",
                        help: "Wall time of one collector in one tick, timeouts included."),
                    labels: labels, buckets: Self.durationBuckets),
                errors: registry.makeCounter(
                    descriptor: Self.name(
                        "collector_errors", unit: "total", help: "Collector runs that failed or timed out."),
                    labels: labels))
            collectors[name] = series
            return series
        }
    }

    private func makeChannelSeries(_ channel: String) -> ChannelSeries {
        let labels = [("channel", channel)]
        let notifications = Self.name(
            "notifications", unit: "total",
            help:
                "Send attempts by channel and outcome: delivered; retried (failed, tried again later); rejected (refused for good by the API)."
        )
        return ChannelSeries(
            delivered: registry.makeCounter(descriptor: notifications, labels: labels + [("outcome", "delivered")]),
            retried: registry.makeCounter(descriptor: notifications, labels: labels + [("outcome", "retried")]),
            rejected: registry.makeCounter(descriptor: notifications, labels: labels + [("outcome", "rejected")]),
            dropped: registry.makeCounter(
                descriptor: Self.name(
                    "notifications_dropped", unit: "total",
                    help: "Notifications dropped because the channel's outbox was full."),
                labels: labels),
            depth: registry.makeGauge(
                descriptor: Self.name("outbox_depth", unit: "", help: "Notifications waiting in the channel's outbox."),
                labels: labels))
    }
}
