import Foundation
import Notify

/// Builds the notification channels a configuration asks for. The one place that lists
/// every channel (CONTRIBUTING.md: adding a channel).
public enum ChannelCatalog {
    /// With no other channel configured, the console is the channel (SPEC §2.2).
    public static func channels(
        for configuration: Configuration, consoleOutput: FileHandle = .standardOutput
    ) -> [any NotificationChannel] {
        [ConsoleChannel(language: configuration.language, output: consoleOutput)]
    }
}
