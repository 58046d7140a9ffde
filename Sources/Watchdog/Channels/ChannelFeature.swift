import Foundation
import Logging
import Notify

/// A notification channel's configuration side (SPEC §2.2): its variables, the parsing
/// of its settings, and the channel they ask for. The channel itself (rendering, the
/// API, sending) lives in `Sources/Notify/<Channel>`, which knows nothing of the
/// environment; its configuration lives in `Channels/<Channel>`, listed once in
/// `ChannelCatalog.all`.
public protocol ChannelFeature: Sendable {
    associatedtype Settings: Sendable

    /// Its variables, in the order the README lists them.
    static var variables: [ConfigVariable] { get }
    /// Reads the settings, recording every problem, naming its variable, in the reader.
    static func read(_ reader: inout ConfigReader) -> Settings
    /// The channel these settings ask for; nil when it is not configured.
    static func channel(_ settings: Settings, context: ChannelContext) -> (any NotificationChannel)?
}

/// What a channel is built with besides its own settings.
public struct ChannelContext: Sendable {
    public let configuration: Configuration
    public let post: HTTPPost
    public let consoleOutput: FileHandle
    public let logger: Logger
    /// The channels built before this one, in `ChannelCatalog.all`'s order: the console
    /// is built last and, with `WATCHDOG_CONSOLE=auto`, only when there are none.
    public let configuredBefore: [any NotificationChannel]
}

/// The settings of every channel, by channel: `configuration.channels[TelegramFeature.self]`.
public struct ChannelSettings: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public subscript<Channel: ChannelFeature>(_ channel: Channel.Type) -> Channel.Settings {
        get {
            guard let value = values[ObjectIdentifier(channel)] as? Channel.Settings else {
                preconditionFailure("\(channel) is not in ChannelCatalog.all")
            }
            return value
        }
        set { values[ObjectIdentifier(channel)] = newValue }
    }
}

extension ChannelFeature {
    static func read(into settings: inout ChannelSettings, from reader: inout ConfigReader) {
        settings[Self.self] = read(&reader)
    }

    static func channel(context: ChannelContext) -> (any NotificationChannel)? {
        channel(context.configuration.channels[Self.self], context: context)
    }
}
