import FoundationEssentials
import Logging

/// Carries out the changes among a chat core's effects through the silence keeper, in
/// order, and returns what is left to say (answers, toasts, edits) for the adapter to
/// render its way. When a change cannot be made (the engine moved on since the
/// snapshot), the rest is replaced by what the core says of that failure.
struct ChatChanges {
    let keeper: any SilenceKeeper
    let core: ChatCore
    let logger: Logger
    /// The chat channel's name: where its acknowledgements come from.
    let via: String

    func carryOut(_ effects: [ChatEffect], for inbound: ChatInbound, now: Date) async -> [ChatEffect] {
        var said: [ChatEffect] = []
        let senderID = inbound.sender?.id ?? "none"
        for effect in effects {
            var failure: String?
            switch effect {
            case .silence(let silence):
                do {
                    _ = try await keeper.upsert(silence, now: now)
                    logger.notice(
                        "silence made from the chat",
                        metadata: [
                            "id": "\(silence.id)", "by": "\(silence.createdBy)", "sender_id": "\(senderID)",
                            "matchers": "\(silence.matchers.map(\.description))",
                        ])
                } catch {
                    failure = error.reason
                }
            case .unsilence(let id):
                if await keeper.expire(id: id, now: now) != nil {
                    logger.notice(
                        "silence lifted from the chat", metadata: ["id": "\(id)", "sender_id": "\(senderID)"])
                } else {
                    failure = "no such silence"
                }
            case .ack(let key, let by):
                if await keeper.acknowledge(key, by: by, via: via, now: now) {
                    logger.notice(
                        "acknowledged from the chat",
                        metadata: ["key": "\(key)", "by": "\(by)", "sender_id": "\(senderID)"])
                } else {
                    failure = "not firing"
                }
            case .refuse(let reason):
                refused(inbound, reason: reason)
            case .answer, .toast, .edit:
                said.append(effect)
            }
            if let failure {
                for replacement in core.failed(effect, reason: failure, inbound) {
                    if case .refuse(let reason) = replacement {
                        refused(inbound, reason: reason)
                    } else {
                        said.append(replacement)
                    }
                }
                return said
            }
        }
        return said
    }

    /// Every refusal is logged with the sender's id (SPEC §12).
    private func refused(_ inbound: ChatInbound, reason: String) {
        let what =
            switch inbound.event {
            case .message: "chat command"
            case .button: "button press"
            case .reaction: "reaction"
            }
        var metadata: Logger.Metadata = ["sender_id": "\(inbound.sender?.id ?? "none")", "reason": "\(reason)"]
        if let place = inbound.place { metadata["chat_id"] = "\(place.room)" }
        logger.notice(
            reason == ChatCore.elsewhere ? "\(what) from another chat ignored" : "\(what) refused", metadata: metadata)
    }
}
