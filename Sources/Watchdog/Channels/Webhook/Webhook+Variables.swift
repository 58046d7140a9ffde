/// The variables of the webhook channel (SPEC §2.2).
extension ConfigVariable {
    static let webhookURL = ConfigVariable(
        "WATCHDOG_WEBHOOK_URL", .url, default: "", secret: true,
        "generic JSON webhook; the body is the Alertmanager webhook payload, version 4")

    /// In the order docs/configuration.md lists them.
    static let webhookVariables: [ConfigVariable] = [.webhookURL]
}
