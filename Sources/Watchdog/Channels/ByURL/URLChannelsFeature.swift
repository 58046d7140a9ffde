import Notify

/// The channels given as URLs (SPEC §2.2, §5.1): every `WATCHDOG_NOTIFY_<NAME>`, each a
/// channel named `<name>`. A URL that does not parse, an unknown scheme, or a name
/// another channel has is an error naming the variable, never showing the URL.
public enum URLChannelsFeature: ChannelFeature {
    public static let variables = ConfigVariable.urlChannelVariables

    /// The names the channels of their own variables take (SPEC §2.2), and what makes
    /// each configured.
    static let builtInNames: [(name: String, configuredBy: [ConfigVariable])] = [
        ("telegram", [.telegramToken]), ("slack", [.slackBotToken, .slackWebhookURL]), ("webhook", [.webhookURL]),
        ("alertmanager", [.alertmanagerURL]), ("console", []),
    ]

    public static func read(_ reader: inout ConfigReader) -> [URLChannel] {
        // The API bases of services at a fixed host; Telegram's and Slack's are their
        // channels' own variables.
        let context = URLChannelContext(
            apiBaseURLs: [
                "discord": reader.optionalURL(.discordAPIURL) ?? ConfigVariable.discordAPIURL.defaultValue ?? "",
                "pagerduty": reader.optionalURL(.pagerDutyAPIURL) ?? ConfigVariable.pagerDutyAPIURL.defaultValue ?? "",
                "pushover": reader.optionalURL(.pushoverAPIURL) ?? ConfigVariable.pushoverAPIURL.defaultValue ?? "",
                // Read, not recorded: an invalid one is their own channels' error already.
                "telegram": ConfigValueParser.httpURL(reader.string(.telegramAPIURL))
                    ?? ConfigVariable.telegramAPIURL.defaultValue ?? "",
                "slack": ConfigValueParser.httpURL(reader.string(.slackAPIURL))
                    ?? ConfigVariable.slackAPIURL.defaultValue ?? "",
            ])
        var channels: [URLChannel] = []
        for member in reader.members(of: .notifyURL) {
            let name = member.member.lowercased()
            if let taken = channels.first(where: { $0.name == name }) {
                reader.record(
                    ConfigIssue(variable: member.variable, message: "names channel \(name), as \(taken.variable) does"))
                continue
            }
            // `alertmanager-2`: a cluster member's name.
            let owner = name.hasPrefix("alertmanager-") ? "alertmanager" : name
            // Set and not blank: a fresh copy of .env.example leaves the Telegram ones empty.
            let configured = builtInNames.flatMap(\.configuredBy).filter { !reader.string($0).isEmpty }
            let configures = { (variable: ConfigVariable) in configured.contains(variable) }
            if let builtIn = builtInNames.first(where: { $0.name == owner }),
                builtIn.configuredBy.isEmpty || builtIn.configuredBy.contains(where: configures)
            {
                let by = builtIn.configuredBy.first(where: configures)?.name ?? "the watchdog"
                reader.record(
                    ConfigIssue(variable: member.variable, message: "names channel \(name), which \(by) configures"))
                continue
            }
            do {
                channels.append(
                    try URLChannelCatalog.read(member.value, name: name, variable: member.variable, context: context))
            } catch {
                reader.record(ConfigIssue(variable: member.variable, message: error.description))
            }
        }
        return channels
    }

    public static func channel(_ settings: [URLChannel], context: ChannelContext) -> (any NotificationChannel)? {
        nil
    }

    public static func channels(_ settings: [URLChannel], context: ChannelContext) -> [any NotificationChannel] {
        settings.map { $0.build(context) }
    }
}

extension Configuration {
    /// The channels given as `WATCHDOG_NOTIFY_<NAME>` URLs.
    public var urlChannels: [URLChannel] { channels[URLChannelsFeature.self] }
}
