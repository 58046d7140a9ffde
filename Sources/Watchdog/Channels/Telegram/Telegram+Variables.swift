/// The variables of the Telegram channel (SPEC §2.2).
extension ConfigVariable {
    static let telegramToken = ConfigVariable(
        "WATCHDOG_TELEGRAM_BOT_TOKEN", .text, default: "", secret: true,
        "Telegram bot token; with WATCHDOG_TELEGRAM_CHAT_ID enables the Telegram channel")
    static let telegramChatID = ConfigVariable(
        "WATCHDOG_TELEGRAM_CHAT_ID", .text, default: "",
        "chat to send to: a numeric id (groups are negative) or @channelname")
    static let telegramThreadID = ConfigVariable(
        "WATCHDOG_TELEGRAM_THREAD_ID", .count(1...Int(Int32.max)), default: "",
        "forum topic (message_thread_id) within the chat")
    static let telegramSilentResolved = ConfigVariable(
        "WATCHDOG_TELEGRAM_SILENT_RESOLVED", .flag, default: "true",
        "send resolved messages without a notification sound")
    static let telegramAPIURL = ConfigVariable(
        "WATCHDOG_TELEGRAM_API_URL", .url, default: "https://api.telegram.org",
        "Bot API base URL (a proxy or a local Bot API server)")

    static let telegramCommands = ConfigVariable(
        "WATCHDOG_TELEGRAM_COMMANDS", .flag, default: "false",
        "read the chat (getUpdates long polling): commands and Ack/Silence buttons; needs a bot no other program polls")
    static let telegramAdmins = ConfigVariable(
        "WATCHDOG_TELEGRAM_ADMINS", .list, default: "",
        "who may act from the chat: Telegram user ids or @usernames; empty = every member of the configured chat")

    /// In the order docs/configuration.md lists them.
    static let telegramVariables: [ConfigVariable] = [
        .telegramToken, .telegramChatID, .telegramThreadID, .telegramSilentResolved, .telegramAPIURL,
        .telegramCommands, .telegramAdmins,
    ]
}
