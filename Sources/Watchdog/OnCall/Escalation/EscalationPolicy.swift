import FoundationEssentials
import Notify

/// `WATCHDOG_ESCALATE`, `WATCHDOG_ESCALATE_MATCH` and `WATCHDOG_ESCALATE_REPEAT` (SPEC
/// §4.3): which alerts escalate, to whom, after how long, and how often the last tier is
/// reminded.
public struct EscalationPolicy: Sendable, Equatable {
    public struct Tier: Sendable, Equatable {
        /// Counted from the delivery of the fire.
        public let after: Duration
        public let channel: String
    }

    /// In the order they escalate: each strictly later than the one before.
    public let tiers: [Tier]
    /// All must match the alert's labels.
    public let matchers: [LabelMatcher]
    /// nil: the last tier is told once.
    public let repeatEvery: Duration?

    public init(tiers: [Tier], matchers: [LabelMatcher], repeatEvery: Duration?) {
        self.tiers = tiers
        self.matchers = matchers
        self.repeatEvery = repeatEvery
    }

    public static let off = EscalationPolicy(tiers: [], matchers: [], repeatEvery: nil)

    public var isOn: Bool { !tiers.isEmpty }

    /// The channels of the tiers, which take escalations only.
    public var channels: Set<String> { Set(tiers.map(\.channel)) }

    /// At most this many tiers.
    static let maximumTiers = 10

    func matches(_ labels: [String: String]) -> Bool {
        matchers.allSatisfy { CompiledMatcher($0).matches(labels) }
    }

    /// `10m:oncall,30m:lead`, strictly: a delay, a colon, a channel name; delays growing.
    static func tiers(_ text: String) throws(SilenceError) -> [Tier] {
        let items = text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard items.count <= maximumTiers else { throw SilenceError("\(items.count) tiers; at most \(maximumTiers)") }
        var tiers: [Tier] = []
        for item in items {
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.trimmingSpaces()
            }
            guard parts.count == 2, let delay = ConfigValueParser.duration(parts[0], bareUnitSeconds: 1),
                delay > .zero, ConfigVariable.isMemberName(Substring(parts[1]))
            else {
                throw SilenceError(
                    "\"\(item.prefix(60))\" is not DELAY:CHANNEL (a duration above 0 and a channel name, e.g. 10m:oncall)"
                )
            }
            let channel = parts[1].lowercased()
            if let last = tiers.last, delay <= last.after {
                throw SilenceError("\(item.prefix(60)) does not come after the tier before it: delays must grow")
            }
            guard !tiers.contains(where: { $0.channel == channel }) else {
                throw SilenceError("channel \(channel) is named twice")
            }
            tiers.append(Tier(after: delay, channel: channel))
        }
        return tiers
    }
}

/// The variables of escalation (SPEC §2.1, §4.3).
extension ConfigVariable {
    static let escalate = ConfigVariable(
        "WATCHDOG_ESCALATE", .text, default: "",
        "escalation tiers: DELAY:CHANNEL,..., e.g. 10m:oncall,30m:lead: an alert that matches WATCHDOG_ESCALATE_MATCH and that nobody acknowledged goes to oncall 10 minutes after its fire was delivered and to lead after 30; these channels take escalations only"
    )
    static let escalateMatch = ConfigVariable(
        "WATCHDOG_ESCALATE_MATCH", .text, default: "severity=critical",
        "which alerts escalate: matchers as in routes (keys, families, globs, *, label matchers), comma-separated, all holding"
    )
    static let escalateRepeat = ConfigVariable(
        "WATCHDOG_ESCALATE_REPEAT", .duration(minimum: .zero), default: nil, documented: "WATCHDOG_COOLDOWN",
        "how often the last tier is reminded until someone acknowledges or the alert resolves; 0 = once")
}

extension ConfigReader {
    /// The escalation settings, each problem recorded naming its variable.
    mutating func escalation(cooldown: Duration?) -> EscalationPolicy {
        let tiers: [EscalationPolicy.Tier]
        do throws(SilenceError) {
            tiers = try EscalationPolicy.tiers(text(.escalate))
        } catch {
            record(ConfigIssue(variable: ConfigVariable.escalate.name, message: error.reason))
            tiers = []
        }
        var matchers: [LabelMatcher] = []
        do throws(SilenceError) {
            matchers = try MatcherList.parse(text(.escalateMatch))
        } catch {
            record(ConfigIssue(variable: ConfigVariable.escalateMatch.name, message: error.reason))
        }
        let repeatEvery = optionalDuration(.escalateRepeat).map { $0 == .zero ? nil : $0 } ?? cooldown
        return EscalationPolicy(tiers: tiers, matchers: matchers, repeatEvery: repeatEvery)
    }
}

extension Configuration {
    /// Every tier must be a channel that tells a person, and something must still take
    /// the ordinary alerts.
    func escalationIssues(channels: [String]) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        let variable = ConfigVariable.escalate.name
        for tier in escalation.tiers {
            if tier.channel == "alertmanager" || tier.channel.hasPrefix("alertmanager-") {
                issues.append(
                    ConfigIssue(
                        variable: variable,
                        message: "\(tier.channel) mirrors alerts to an Alertmanager and cannot take an escalation"))
            } else if !channels.contains(tier.channel) {
                let known = channels.isEmpty ? "none" : channels.joined(separator: ", ")
                let hint = NameSuggestion.closest(to: tier.channel, in: channels).map { "; did you mean \($0)?" } ?? ""
                issues.append(
                    ConfigIssue(
                        variable: variable, message: "no channel is named \(tier.channel)\(hint) (channels: \(known))"))
            }
        }
        for route in routes where escalation.channels.contains(where: { route.routes($0) }) {
            issues.append(
                ConfigIssue(
                    variable: route.variable,
                    message:
                        "\(route.channel) is an escalation tier of WATCHDOG_ESCALATE and takes escalations only; a route cannot narrow them: remove one of the two"
                ))
        }
        if escalation.isOn, !channels.isEmpty, channels.allSatisfy(escalation.channels.contains) {
            issues.append(
                ConfigIssue(
                    variable: variable,
                    message: "every channel is an escalation tier: name at least one channel for the alerts themselves")
            )
        }
        return issues
    }
}
