import FoundationEssentials
import Notify

/// Which channels an alert goes to (SPEC §4.3), decided once, when its fire is announced;
/// its later messages follow the fire (`TrackedAlert.channels`).
///
/// - A channel without a route takes every alert; a routed one those its route takes.
/// - Nothing is lost for want of a route: an alert no channel takes goes to every
///   channel (the fall-through).
/// - Escalation tiers take only escalations, never ordinary traffic nor the fall-through.
public struct RouteTable: Sendable, Equatable {
    /// Every channel by name, in the order they were configured.
    public let channels: [String]
    public let routes: [ChannelRoute]
    /// The channels named in `WATCHDOG_ESCALATE`.
    public let tiers: Set<String>

    public init(channels: [String], routes: [ChannelRoute] = [], tiers: Set<String> = []) {
        self.channels = channels
        self.routes = routes
        self.tiers = tiers
    }

    /// Every channel takes every alert: nothing to decide per alert.
    public static let everywhere = RouteTable(channels: [])

    var isEverywhere: Bool { routes.isEmpty && tiers.isEmpty }

    /// The channels that take ordinary alerts: all but the escalation tiers.
    public var ordinary: [String] { channels.filter { !tiers.contains($0) } }

    func route(of channel: String) -> ChannelRoute? {
        routes.first { $0.routes(channel) }
    }

    /// The channels without a route (the tiers aside): where the fall-through goes.
    public var unrouted: [String] { ordinary.filter { route(of: $0) == nil } }

    /// Where a key's later messages go: where its fire went (`channels`; nil, from before
    /// routes, is every channel but the tiers), and the tier channels in `extra`.
    public func following(_ channels: [String]?, plus extra: [String] = []) -> [String]? {
        guard let base = channels ?? (isEverywhere ? nil : ordinary) else { return nil }
        return base + extra.filter { !base.contains($0) }
    }

    /// The channels that take an alert with these labels announced at `now`; nil when
    /// every channel takes every alert (no routes, no tiers).
    public func destinations(for labels: [String: String], at now: Date) -> [String]? {
        guard !isEverywhere else { return nil }
        let ordinary = ordinary
        let taking = ordinary.filter { channel in route(of: channel)?.takes(labels, at: now) ?? true }
        return taking.isEmpty ? ordinary : taking
    }
}

extension DecisionSettings {
    /// Where a key's messages go when its fire is announced at `now`.
    func destinations(of key: SignalKey, severity: Severity, at now: Date) -> [String]? {
        routes.destinations(for: SilenceSet.labels(of: key, severity: severity, instance: instance), at: now)
    }
}
