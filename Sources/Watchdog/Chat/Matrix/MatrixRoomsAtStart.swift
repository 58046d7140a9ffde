import FoundationEssentials
import Logging
import Notify

/// SPEC §13: a Matrix channel, two-way or not, whose room is end-to-end encrypted
/// refuses to start. The rooms are asked at start, together; one that cannot be asked
/// now (the homeserver down, the bot not invited yet) is a warning, and its first
/// message will ask again and refuse to post into an encrypted room.
public enum MatrixRoomsAtStart {
    /// One error per encrypted room, each naming its variable.
    public static func refusals(
        _ channels: [any NotificationChannel], variables: [String: String], logger: Logger
    ) async -> [String] {
        let matrix = channels.compactMap { $0 as? MatrixChannel }
        return await withTaskGroup(of: String?.self) { group in
            for channel in matrix {
                group.addTask {
                    let variable = variables[channel.name] ?? "WATCHDOG_NOTIFY_\(channel.name.uppercased())"
                    switch await channel.checkRoom() {
                    case .ready:
                        return nil
                    case .encrypted:
                        return
                            "\(variable): room \(channel.settings.room) is end-to-end encrypted; the watchdog cannot encrypt, so it posts to and reads only unencrypted rooms (give it a room without encryption: encryption cannot be turned off in a room)"
                    case .unknown(let reason):
                        logger.warning(
                            "cannot check the Matrix room now; its first message will",
                            metadata: ["variable": "\(variable)", "reason": "\(reason)"])
                        return nil
                    }
                }
            }
            var refusals: [String] = []
            for await refusal in group {
                if let refusal { refusals.append(refusal) }
            }
            return refusals.sorted()
        }
    }
}
