import Notify

/// How Slack is reached: an incoming webhook, or the Web API with a bot token (which can
/// thread and update its messages).
public enum SlackSettings: Sendable, Equatable {
    case webhook(Secret)
    case bot(token: Secret, channel: String, apiBaseURL: String)
}

/// The Slack channel's configuration (SPEC §2.2): a bot token and a channel, or an
/// incoming webhook; one of the two.
public enum SlackFeature: ChannelFeature {
    public static let variables = ConfigVariable.slackVariables

    public static func read(_ reader: inout ConfigReader) -> SlackSettings? {
        let webhook = reader.optionalURL(.slackWebhookURL)
        let token = reader.string(.slackBotToken)
        let channel = reader.string(.slackChannel)
        let apiURL = reader.optionalURL(.slackAPIURL) ?? ConfigVariable.slackAPIURL.defaultValue ?? ""
        if token.isEmpty, channel.isEmpty { return webhook.map { .webhook(Secret($0)) } }
        if token.isEmpty {
            reader.record(
                .init(variable: ConfigVariable.slackBotToken.name, message: "is required with WATCHDOG_SLACK_CHANNEL"))
            return nil
        }
        if channel.isEmpty {
            reader.record(
                .init(variable: ConfigVariable.slackChannel.name, message: "is required with WATCHDOG_SLACK_BOT_TOKEN"))
            return nil
        }
        if webhook != nil {
            reader.record(
                .init(
                    variable: ConfigVariable.slackWebhookURL.name,
                    message: "cannot be used with WATCHDOG_SLACK_BOT_TOKEN: Slack is one channel; keep one of the two"))
            return nil
        }
        if token.contains(where: { $0.isWhitespace || !$0.isASCII }) {
            reader.record(.invalid(.slackBotToken, value: token))
            return nil
        }
        let validChannel =
            channel.count <= 80
            && channel.drop(while: { $0 == "#" }).allSatisfy {
                $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".")
            }
        if !validChannel {
            reader.record(.invalid(.slackChannel, value: channel))
            return nil
        }
        return .bot(token: Secret(token), channel: channel, apiBaseURL: apiURL)
    }

    public static func channel(_ settings: SlackSettings?, context: ChannelContext) -> (any NotificationChannel)? {
        switch settings {
        case nil:
            return nil
        case .webhook(let url):
            return SlackChannel(webhookURL: url.value, language: context.configuration.language, post: context.post)
        case .bot(let token, let channel, let apiBaseURL):
            return SlackBotChannel(
                token: token.value, channel: channel, apiBaseURL: apiBaseURL,
                language: context.configuration.language, post: context.post)
        }
    }
}

extension Configuration {
    public var slack: SlackSettings? { channels[SlackFeature.self] }
}
