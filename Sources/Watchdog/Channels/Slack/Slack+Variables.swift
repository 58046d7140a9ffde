/// The variables of the Slack channel (SPEC §2.2).
extension ConfigVariable {
    static let slackWebhookURL = ConfigVariable(
        "WATCHDOG_SLACK_WEBHOOK_URL", .url, default: "", secret: true, "Slack incoming webhook URL")

    /// In the order the README lists them.
    static let slackVariables: [ConfigVariable] = [.slackWebhookURL]
}
