import Notify

/// The console channel's configuration (SPEC §2.2): with `auto`, on only when no other
/// channel is configured, so it is built last.
public enum ConsoleFeature: ChannelFeature {
    public static let variables = ConfigVariable.consoleVariables

    public static func read(_ reader: inout ConfigReader) -> Configuration.ConsoleMode {
        Configuration.ConsoleMode(rawValue: reader.choice(.console)) ?? .auto
    }

    public static func channel(_ mode: Configuration.ConsoleMode, context: ChannelContext)
        -> (any NotificationChannel)?
    {
        switch mode {
        case .always: ConsoleChannel(language: context.configuration.language, output: context.consoleOutput)
        case .auto where context.configuredBefore.isEmpty:
            ConsoleChannel(language: context.configuration.language, output: context.consoleOutput)
        case .auto, .never: nil
        }
    }
}

extension Configuration {
    public var console: ConsoleMode { channels[ConsoleFeature.self] }
}
