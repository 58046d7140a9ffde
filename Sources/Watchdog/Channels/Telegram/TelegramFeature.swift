import Notify

/// The Telegram channel's configuration (SPEC §2.2): on with a token and a chat.
public enum TelegramFeature: ChannelFeature {
    public static let variables = ConfigVariable.telegramVariables

    /// Telegram needs both the token and the chat id; one without the other is an error
    /// naming the missing one.
    public static func read(_ reader: inout ConfigReader) -> TelegramSettings? {
        let token = reader.string(.telegramToken)
        let chatID = reader.string(.telegramChatID)
        let threadID = reader.optionalCount(.telegramThreadID)
        let silentResolved = reader.flag(.telegramSilentResolved)
        let apiURL = reader.optionalURL(.telegramAPIURL) ?? ConfigVariable.telegramAPIURL.defaultValue ?? ""
        let commands = reader.flag(.telegramCommands)
        let admins = reader.list(.telegramAdmins)
        var adminNames: [String] = []
        for admin in admins {
            guard let name = adminName(admin) else {
                reader.record(
                    .init(
                        variable: ConfigVariable.telegramAdmins.name,
                        message: "\"\(admin.prefix(64))\" is neither a Telegram user id nor an @username"))
                continue
            }
            adminNames.append(name)
        }
        if token.isEmpty, chatID.isEmpty {
            if commands {
                reader.record(
                    .init(
                        variable: ConfigVariable.telegramCommands.name,
                        message: "needs the Telegram channel: WATCHDOG_TELEGRAM_BOT_TOKEN and WATCHDOG_TELEGRAM_CHAT_ID"
                    ))
            }
            return nil
        }
        if token.isEmpty {
            reader.record(
                .init(
                    variable: ConfigVariable.telegramToken.name, message: "is required with WATCHDOG_TELEGRAM_CHAT_ID"))
            return nil
        }
        if chatID.isEmpty {
            reader.record(
                .init(
                    variable: ConfigVariable.telegramChatID.name,
                    message: "is required with WATCHDOG_TELEGRAM_BOT_TOKEN"))
            return nil
        }
        let validChat =
            Int64(chatID) != nil
            || (chatID.hasPrefix("@") && chatID.count > 1
                && chatID.dropFirst().allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        if !validChat {
            reader.record(.invalid(.telegramChatID, value: chatID))
            return nil
        }
        if commands, Int64(chatID) == nil {
            reader.record(
                .init(
                    variable: ConfigVariable.telegramCommands.name,
                    message: "needs a numeric WATCHDOG_TELEGRAM_CHAT_ID (a group's id): a channel has no commands"))
            return nil
        }
        if token.contains(where: { $0.isWhitespace || $0 == "/" }) {
            reader.record(.invalid(.telegramToken, value: token))
            return nil
        }
        return TelegramSettings(
            token: token, chatID: chatID, threadID: threadID, silentResolved: silentResolved, apiBaseURL: apiURL,
            commands: commands, admins: adminNames)
    }

    /// An admin as the chat names senders: a positive user id, or a username (5 to 32
    /// letters, digits and `_`) without its `@`, lowercased (Telegram's are not case
    /// sensitive).
    static func adminName(_ text: String) -> String? {
        if let id = Int64(text), id > 0 { return text }
        guard text.hasPrefix("@") else { return nil }
        let name = text.dropFirst()
        guard (5...32).contains(name.count),
            name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { return nil }
        return name.lowercased()
    }

    public static func channel(_ settings: TelegramSettings?, context: ChannelContext) -> (any NotificationChannel)? {
        settings.map {
            TelegramChannel(
                settings: $0, language: context.configuration.language, post: context.post, logger: context.logger)
        }
    }
}

extension Configuration {
    public var telegram: TelegramSettings? { channels[TelegramFeature.self] }
}
