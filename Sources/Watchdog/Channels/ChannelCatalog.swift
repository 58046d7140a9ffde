import Foundation
import Logging
import Notify

/// Builds the notification channels a configuration asks for. The one place that lists
/// every channel (CONTRIBUTING.md: adding a channel).
public enum ChannelCatalog {
    /// Every configured channel; the console too when nothing else is configured or
    /// `WATCHDOG_CONSOLE=true` (SPEC §2.2).
    public static func channels(
        for configuration: Configuration, consoleOutput: FileHandle = .standardOutput, logger: Logger
    ) -> [any NotificationChannel] {
        let post = HTTPPost(timeout: configuration.httpTimeout)
        var channels: [any NotificationChannel] = []
        if let telegram = configuration.telegram {
            channels.append(
                TelegramChannel(settings: telegram, language: configuration.language, post: post, logger: logger))
        }
        if let url = configuration.slackWebhookURL {
            channels.append(SlackChannel(webhookURL: url.value, language: configuration.language, post: post))
        }
        if let url = configuration.webhookURL {
            channels.append(WebhookChannel(url: url.value, post: post))
        }
        if let url = configuration.alertmanagerURL {
            channels.append(AlertmanagerChannel(baseURL: url, interval: configuration.interval, post: post))
        }
        switch configuration.console {
        case .always: channels.append(ConsoleChannel(language: configuration.language, output: consoleOutput))
        case .auto where channels.isEmpty:
            channels.append(ConsoleChannel(language: configuration.language, output: consoleOutput))
        case .auto, .never: break
        }
        return channels
    }
}
