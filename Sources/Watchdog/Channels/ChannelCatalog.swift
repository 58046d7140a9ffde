import FoundationEssentials
import FoundationGaps
import Logging
import Notify

/// The one list of channels (CONTRIBUTING.md: adding a channel), and the channels a
/// configuration asks for.
public enum ChannelCatalog {
    /// In docs/configuration.md's order; the console last, since it depends on the others.
    public static let all: [any ChannelFeature.Type] = [
        TelegramFeature.self,
        SlackFeature.self,
        WebhookFeature.self,
        AlertmanagerFeature.self,
        URLChannelsFeature.self,
        ConsoleFeature.self,
    ]

    /// Every channel's variables, in docs/configuration.md's order.
    static let variables: [ConfigVariable] = all.flatMap { $0.variables }

    /// The names of the channels `channels(for:)` builds, in its order, without building
    /// them: what routes and escalation tiers are checked against at start.
    public static func names(for configuration: Configuration) -> [String] {
        var names: [String] = []
        if configuration.telegram != nil { names.append("telegram") }
        if configuration.slack != nil { names.append("slack") }
        if configuration.webhookURL != nil { names.append("webhook") }
        if !configuration.alertmanagerURLs.isEmpty {
            names += AlertmanagerFeature.names(count: configuration.alertmanagerURLs.count)
        }
        names += configuration.urlChannels.map(\.name)
        switch configuration.console {
        case .always: names.append("console")
        case .auto where names.isEmpty: names.append("console")
        case .auto, .never: break
        }
        return names
    }

    /// Every configured channel; the console too when nothing else is configured or
    /// `WATCHDOG_CONSOLE=true` (SPEC §2.2).
    public static func channels(
        for configuration: Configuration, consoleOutput: OutputDescriptor = .standardOutput, logger: Logger
    ) -> [any NotificationChannel] {
        let post = HTTPPost(timeout: configuration.httpTimeout)
        var channels: [any NotificationChannel] = []
        for feature in all {
            let context = ChannelContext(
                configuration: configuration, post: post, consoleOutput: consoleOutput, logger: logger,
                configuredBefore: channels)
            channels += feature.channels(context: context)
        }
        return channels
    }
}
