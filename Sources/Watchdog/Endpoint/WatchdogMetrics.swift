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
    /// Created on first use, one per collector or channel; the registry keeps them.
    private let perLabel = Mutex<PerLabel>(PerLabel())
    /// The outbox counters last exported, so the Prometheus counters advance by the
    /// difference.
    private let exported = Mutex<[String: OutboxCounters]>([:])

    private struct PerLabel {
        var collectorDurations: [String: DurationHistogram] = [:]
        var collectorErrors: [String: Counter] = [:]
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
    }

    /// Records one completed tick.
    public func record(_ report: TickReport, finishedAtUnixTime: Double) {
        ticks.increment()
        tickDuration.record(report.duration)
        lastTick.set(finishedAtUnixTime)
        for collector in report.collectors where collector.status != "not_due" {
            let (duration, errors) = collectorMetrics(collector.name)
            duration.record(.milliseconds(collector.durationMs))
            if collector.status == "failed" { errors.increment() }
        }
        var firing: [SignalFamily: Int] = [:]
        for (key, alert) in report.alerts where alert.state.firing {
            firing[key.family, default: 0] += 1
        }
        for family in SignalFamily.allCases {
            registry.makeGauge(
                descriptor: Self.name(
                    "signals_active", unit: "", help: "Signal keys firing now (after debouncing), by family."),
                labels: [("family", family.rawValue)]
            ).set(Double(firing[family] ?? 0))
        }
    }

    /// Brings the delivery series up to date with the outboxes' counters.
    public func record(_ channels: [ChannelStatistics]) {
        exported.withLock { exported in
            for channel in channels {
                let before = exported[channel.channel] ?? OutboxCounters()
                let now = channel.counters
                let labels = [("channel", channel.channel)]
                for (outcome, count, previous) in [
                    ("delivered", now.delivered, before.delivered), ("retried", now.retried, before.retried),
                    ("rejected", now.rejected, before.rejected),
                ] {
                    registry.makeCounter(
                        descriptor: Self.name(
                            "notifications", unit: "total",
                            help:
                                "Send attempts by channel and outcome: delivered; retried (failed, tried again later); rejected (refused for good by the API)."
                        ),
                        labels: labels + [("outcome", outcome)]
                    ).increment(by: Int64(max(0, count - previous)))
                }
                registry.makeCounter(
                    descriptor: Self.name(
                        "notifications_dropped", unit: "total",
                        help: "Notifications dropped because the channel's outbox was full."),
                    labels: labels
                ).increment(by: Int64(max(0, now.dropped - before.dropped)))
                registry.makeGauge(
                    descriptor: Self.name(
                        "outbox_depth", unit: "", help: "Notifications waiting in the channel's outbox."),
                    labels: labels
                ).set(Double(channel.depth))
                exported[channel.channel] = now
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

    private func collectorMetrics(_ name: String) -> (DurationHistogram, Counter) {
        perLabel.withLock { cache in
            if let duration = cache.collectorDurations[name], let errors = cache.collectorErrors[name] {
                return (duration, errors)
            }
            let labels = [("collector", name)]
            let duration = registry.makeDurationHistogram(
                descriptor: Self.name(
                    "collector_duration", unit: "seconds",
                    help: "Wall time of one collector in one tick, timeouts included."),
                labels: labels, buckets: Self.durationBuckets)
            let errors = registry.makeCounter(
                descriptor: Self.name(
                    "collector_errors", unit: "total", help: "Collector runs that failed or timed out."),
                labels: labels)
            cache.collectorDurations[name] = duration
            cache.collectorErrors[name] = errors
            return (duration, errors)
        }
    }
}
