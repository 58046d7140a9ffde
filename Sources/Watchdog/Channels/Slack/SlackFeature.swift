import Notify

/// The Slack channel's configuration (SPEC §2.2): an incoming webhook.
public enum SlackFeature: ChannelFeature {
    public static let variables = ConfigVariable.slackVariables

    public static func read(_ reader: inout ConfigReader) -> Secret? {
        reader.optionalURL(.slackWebhookURL).map(Secret.init)
    }

    public static func channel(_ settings: Secret?, context: ChannelContext) -> (any NotificationChannel)? {
        settings.map {
            SlackChannel(webhookURL: $0.value, language: context.configuration.language, post: context.post)
        }
    }
}

extension Configuration {
    public var slackWebhookURL: Secret? { channels[SlackFeature.self] }
}
