import FoundationEssentials
import FoundationGaps
import Logging
import Notify

/// A notification channel's configuration side (SPEC §2.2): its variables, the parsing
/// of its settings, and the channel they ask for. The channel itself (rendering, the
/// API, sending) lives in `Sources/Notify/<Channel>`, which knows nothing of the
/// environment; its configuration lives in `Channels/<Channel>`, listed once in
/// `ChannelCatalog.all`.
public protocol ChannelFeature: EnvironmentConfigured {
    /// The channel these settings ask for; nil when it is not configured.
    static func channel(_ settings: Settings, context: ChannelContext) -> (any NotificationChannel)?
    /// The channels these settings ask for: by default the one `channel` builds; several
    /// for the channels given as URLs.
    static func channels(_ settings: Settings, context: ChannelContext) -> [any NotificationChannel]
}

/// What a channel is built with besides its own settings.
public struct ChannelContext: Sendable {
    public let configuration: Configuration
    public let post: HTTPPost
    public let consoleOutput: OutputDescriptor
    public let logger: Logger
    /// The channels built before this one, in `ChannelCatalog.all`'s order: the console
    /// is built last and, with `WATCHDOG_CONSOLE=auto`, only when there are none.
    public let configuredBefore: [any NotificationChannel]
}

extension ChannelFeature {
    public static func channels(_ settings: Settings, context: ChannelContext) -> [any NotificationChannel] {
        channel(settings, context: context).map { [$0] } ?? []
    }

    static func channels(context: ChannelContext) -> [any NotificationChannel] {
        channels(context.configuration.channels[Self.self], context: context)
    }
}
