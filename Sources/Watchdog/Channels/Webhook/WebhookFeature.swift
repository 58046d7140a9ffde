import Notify

/// The generic webhook's configuration (SPEC §2.2).
public enum WebhookFeature: ChannelFeature {
    public static let variables = ConfigVariable.webhookVariables

    public static func read(_ reader: inout ConfigReader) -> Secret? {
        reader.optionalURL(.webhookURL).map(Secret.init)
    }

    public static func channel(_ settings: Secret?, context: ChannelContext) -> (any NotificationChannel)? {
        settings.map { WebhookChannel(url: $0.value, post: context.post) }
    }
}

extension Configuration {
    public var webhookURL: Secret? { channels[WebhookFeature.self] }
}
