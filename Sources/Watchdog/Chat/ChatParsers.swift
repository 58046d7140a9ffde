import FoundationEssentials

/// The chat's parsers of outside input, on raw bytes, for the fuzz targets and their
/// replayed inputs: a `getUpdates` answer, and every text and button data in it read as
/// a command. Each must return for any input.
public enum ChatParsers {
    public static func updates(_ bytes: [UInt8]) {
        _ = TelegramUpdate.botName(from: bytes)
        let authorization = ChatAuthorization(admins: ["alice", "42"], threadID: 7)
        for update in TelegramUpdate.list(from: bytes) ?? [] {
            if let message = update.message {
                _ = ChatCommand.parse(message.text ?? "", botName: "wd_bot")
                _ = authorization.check(
                    sender: message.sender, chat: message.chatID, thread: message.threadID, chatID: "-100")
            }
            if let press = update.callback {
                _ = press.data.flatMap(ButtonRequest.init(data:))
                _ = press.sender.shownName
            }
        }
        // The bytes as one chat line too.
        _ = ChatCommand.parse(String(decoding: bytes.prefix(4096), as: UTF8.self), botName: "wd_bot")
    }
}
