import Notify

/// The Alertmanager channel's configuration (SPEC §2.2, §5).
public enum AlertmanagerFeature: ChannelFeature {
    public static let variables = ConfigVariable.alertmanagerVariables

    public static func read(_ reader: inout ConfigReader) -> String? {
        reader.optionalURL(.alertmanagerURL)
    }

    public static func channel(_ settings: String?, context: ChannelContext) -> (any NotificationChannel)? {
        settings.map { AlertmanagerChannel(baseURL: $0, interval: context.configuration.interval, post: context.post) }
    }
}

extension Configuration {
    public var alertmanagerURL: String? { channels[AlertmanagerFeature.self] }
}
