/// The variables of the channels given as URLs (SPEC §2.2, §5.1).
extension ConfigVariable {
    static let notifyURL = ConfigVariable(
        "WATCHDOG_NOTIFY_<NAME>", .channelURL, default: "", secret: true,
        "a channel given as one URL in Apprise's syntax (docs/channels.md): discord://, ntfy://, mailto://, matrix://, workflows:// (Teams), tgram://, slack://, gotify://, mmost://, pagerduty://, pover://, json://; the name after WATCHDOG_NOTIFY_ (letters, digits, _), lower-cased, names the channel"
    )
    static let discordAPIURL = ConfigVariable(
        "WATCHDOG_DISCORD_API_URL", .url, default: "https://discord.com/api",
        "Discord API base URL of discord:// channels (a proxy, or a stand-in in tests)")

    static let pagerDutyAPIURL = ConfigVariable(
        "WATCHDOG_PAGERDUTY_API_URL", .url, default: "https://events.pagerduty.com",
        "PagerDuty Events API base URL of pagerduty:// channels (a proxy, or a stand-in in tests)")

    static let pushoverAPIURL = ConfigVariable(
        "WATCHDOG_PUSHOVER_API_URL", .url, default: "https://api.pushover.net",
        "Pushover API base URL of pover:// channels (a proxy, or a stand-in in tests)")

    /// In the order docs/configuration.md lists them.
    static let urlChannelVariables: [ConfigVariable] = [
        .notifyURL, .discordAPIURL, .pagerDutyAPIURL, .pushoverAPIURL,
    ]
}
