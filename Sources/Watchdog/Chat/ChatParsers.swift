import FoundationEssentials
import Notify

/// The chat's parsers of outside input, on raw bytes, for the fuzz targets and their
/// replayed inputs: a `getUpdates` answer and a Matrix `/sync` one (with the answers
/// around it), and every text, button data and reaction in them read as a command.
/// Each must return for any input.
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
        let batch = MatrixSync.batch(from: bytes, room: "!room:hs")
        for event in batch?.events ?? [] {
            switch event.kind {
            case .text(let text): _ = ChatCommand.parse(text, botName: nil, prefix: "!")
            case .reaction(let key, _): _ = ChatCore.isThumbsUp(key)
            default: break
            }
        }
        _ = MatrixSync.powerLevels(from: bytes)
        _ = MatrixSync.userID(from: bytes)
        _ = MatrixSync.roomID(from: bytes)
        // The bytes as one chat line too.
        let line = String(decoding: bytes.prefix(4096), as: UTF8.self)
        _ = ChatCommand.parse(line, botName: "wd_bot")
        _ = ChatCommand.parse(line, botName: nil, prefix: "!")
        _ = ChatCore.isThumbsUp(line)
    }
}
