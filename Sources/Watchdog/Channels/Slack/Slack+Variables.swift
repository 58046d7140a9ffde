/// The variables of the Slack channel (SPEC §2.2).
extension ConfigVariable {
    static let slackBotToken = ConfigVariable(
        "WATCHDOG_SLACK_BOT_TOKEN", .text, default: "", secret: true,
        "Slack bot token (xoxb-…); with WATCHDOG_SLACK_CHANNEL: Web API chat.postMessage, resolves in the alert's thread"
    )
    static let slackChannel = ConfigVariable(
        "WATCHDOG_SLACK_CHANNEL", .text, default: "",
        "Slack channel id (C…) or name the bot posts to; the bot must be a member")
    static let slackAPIURL = ConfigVariable(
        "WATCHDOG_SLACK_API_URL", .url, default: "https://slack.com/api",
        "Slack Web API base URL (a proxy, or a stand-in in tests)")
    static let slackWebhookURL = ConfigVariable(
        "WATCHDOG_SLACK_WEBHOOK_URL", .url, default: "", secret: true, "Slack incoming webhook URL")

    /// In the order docs/configuration.md lists them.
    static let slackVariables: [ConfigVariable] = [.slackBotToken, .slackChannel, .slackAPIURL, .slackWebhookURL]
}
