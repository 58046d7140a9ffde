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
