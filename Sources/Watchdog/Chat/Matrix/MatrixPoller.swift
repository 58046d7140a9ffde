import FoundationEssentials
import Logging
import Notify
import ServiceLifecycle

/// Reads a Matrix room by `/sync` long polling (SPEC §13), on its own task so it never
/// delays a tick or a delivery.
///
/// First it learns who the bot is (`whoami`) and which room it reads (joining it, or
/// waiting for an invitation, which it accepts); the first sync ever only marks where
/// reading starts. A refusal (a revoked token, an encrypted room) is logged as an error
/// once and tried again every minute; network and server troubles back off from 1 s to
/// a minute; a 429 `M_LIMIT_EXCEEDED` waits its `retry_after_ms`.
public struct MatrixPoller<C: Clock>: Service where C.Duration == Duration {
    let conversation: MatrixConversation<C>
    let channel: MatrixChannel
    /// Longer than the poll's 25 s, which the server holds the request for.
    let post: HTTPPost
    let clock: C
    let logger: Logger

    public init(conversation: MatrixConversation<C>, channel: MatrixChannel, post: HTTPPost, clock: C, logger: Logger) {
        self.conversation = conversation
        self.channel = channel
        self.post = post
        self.clock = clock
        self.logger = logger
    }

    enum Step: Error, Equatable {
        case refused(reason: String)
        case failed(reason: String, retryAfter: Double?)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var reader = Reader(poller: self)
            await reader.run()
        }
    }

    /// The loop's memory: who the bot is, which room, how things went.
    struct Reader {
        let poller: MatrixPoller
        var bot: String?
        var roomID: String?
        var reported: String?
        /// Waiting for an invitation, said once.
        var waiting = false
        /// Reading started in this run, said once.
        var reading = false
        var failures = 0

        var settings: MatrixSettings { poller.channel.settings }
        var logger: Logger { poller.logger }

        mutating func run() async {
            while !Task.isCancelled {
                let step = await once()
                switch step {
                case .success:
                    failures = 0
                    if reported != nil {
                        logger.notice("reading the Matrix room again", metadata: ["channel": "\(poller.channel.name)"])
                        reported = nil
                    }
                case .failure(let step):
                    guard await pause(after: step) else { return }
                }
            }
        }

        /// One round: whatever is missing first, then one sync and its handling.
        mutating func once() async -> Result<Void, Step> {
            if bot == nil {
                switch await get(MatrixSync.whoamiURL(base: settings.homeserverURL), "whoami") {
                case .success(let body):
                    guard let id = MatrixSync.userID(from: body) else {
                        return .failure(.failed(reason: "whoami: no user_id in the answer", retryAfter: nil))
                    }
                    bot = id
                case .failure(let step): return .failure(step)
                }
            }
            if roomID == nil {
                switch await poller.channel.checkRoom() {
                case .ready(let id):
                    joined(id)
                case .encrypted:
                    return .failure(
                        .refused(
                            reason:
                                "room \(settings.room) is end-to-end encrypted; the watchdog reads only unencrypted rooms"
                        ))
                case .unknown(let reason):
                    // Not invited yet: an invitation comes by /sync, so read it by id.
                    guard let id = await knownRoomID() else {
                        return .failure(.failed(reason: reason, retryAfter: nil))
                    }
                    if !waiting {
                        logger.notice(
                            "not in the Matrix room yet; waiting for an invitation",
                            metadata: ["channel": "\(poller.channel.name)", "reason": "\(reason)"])
                        waiting = true
                    }
                    return await sync(roomID: id, joined: false)
                }
            }
            guard let roomID else { return .success(()) }
            return await sync(roomID: roomID, joined: true)
        }

        /// In the room: said once after waiting for an invitation.
        mutating func joined(_ id: String) {
            if waiting {
                logger.notice(
                    "joined the Matrix room", metadata: ["channel": "\(poller.channel.name)", "room": "\(id)"])
                waiting = false
            }
            roomID = id
        }

        /// The room's id without joining: given as one, or the alias looked up.
        func knownRoomID() async -> String? {
            if settings.room.hasPrefix("!") { return settings.room }
            guard
                case .success(let body) = await get(
                    MatrixSync.directoryURL(base: settings.homeserverURL, alias: settings.room), "room alias")
            else { return nil }
            return MatrixSync.roomID(from: body)
        }

        mutating func sync(roomID: String, joined: Bool) async -> Result<Void, Step> {
            guard let bot else { return .success(()) }
            let position = await poller.conversation.position()
            let url = MatrixSync.syncURL(base: settings.homeserverURL, room: roomID, since: position?.since)
            let body: [UInt8]
            switch await get(url, "sync") {
            case .success(let answer): body = answer
            case .failure(let step): return .failure(step)
            }
            guard let batch = MatrixSync.batch(from: body, room: roomID) else {
                return .failure(.failed(reason: "sync answered something that is no sync", retryAfter: nil))
            }
            if batch.invited || !joined {
                // An invitation to the configured room is accepted: joining is what it asks.
                if case .ready(let id) = await poller.channel.checkRoom() { self.joined(id) }
            }
            if !reading {
                logger.info(
                    "reading the Matrix room for commands",
                    metadata: ["channel": "\(poller.channel.name)", "bot": "\(bot)"])
                reading = true
            }
            guard let position else {
                await poller.conversation.begin(at: batch.nextBatch)
                return .success(())
            }
            var levels: (users: [String: Int], usersDefault: Int)?
            if await poller.conversation.needsPowerLevels(batch, bot: bot) {
                switch await get(
                    MatrixSync.powerLevelsURL(base: settings.homeserverURL, room: roomID), "power levels",
                    absentIsEmpty: true)
                {
                case .success(let body):
                    // A room without the event: everyone at 0 (its creator at 100, which
                    // rooms made by clients always set).
                    levels = MatrixSync.powerLevels(from: body) ?? ([:], 0)
                case .failure(let step): return .failure(step)
                }
            }
            await poller.conversation.handle(batch, since: position.since, roomID: roomID, bot: bot, levels: levels)
            return .success(())
        }

        /// One authenticated GET; the body when the homeserver said yes (an empty one for a
        /// 404 when `absentIsEmpty`: a state event the room does not have).
        func get(_ url: String, _ what: String, absentIsEmpty: Bool = false) async -> Result<[UInt8], Step> {
            let secrets = [settings.accessToken]
            let answer = await poller.post.send(
                url: url, method: .get, body: [], headers: [("Authorization", "Bearer \(settings.accessToken)")],
                secrets: secrets)
            switch answer {
            case .failed(let reason):
                return .failure(
                    .failed(reason: "\(what): " + HTTPPost.redact(reason, secrets: secrets), retryAfter: nil))
            case .response(let status, let headers, let body):
                if absentIsEmpty, status == 404 { return .success([]) }
                switch MatrixAPI.classify(status: status, body: body, retryAfterHeader: HTTPPost.retryAfter(headers)) {
                case .delivered: return .success(body)
                case .retry(let reason, let after):
                    return .failure(
                        .failed(reason: "\(what): " + HTTPPost.redact(reason, secrets: secrets), retryAfter: after))
                case .rejected(let reason):
                    return .failure(.refused(reason: "\(what): " + HTTPPost.redact(reason, secrets: secrets)))
                }
            }
        }

        /// Logs `step` as it deserves and sleeps; false when cancelled.
        mutating func pause(after step: Step) async -> Bool {
            let wait: Duration
            switch step {
            case .refused(let reason):
                if reported != reason {
                    logger.error(
                        "cannot read the Matrix room; trying again every minute",
                        metadata: ["channel": "\(poller.channel.name)", "reason": "\(reason)"])
                    reported = reason
                }
                wait = ChatPolling.refusedPause
            case .failed(let reason, let retryAfter):
                failures += 1
                wait = ChatPolling.wait(failures: failures, retryAfter: retryAfter)
                logger.warning(
                    "reading the Matrix room failed; trying again",
                    metadata: [
                        "channel": "\(poller.channel.name)", "reason": "\(reason)", "retry_in_s": "\(wait.seconds)",
                    ])
            }
            do {
                try await poller.clock.sleep(for: wait)
                return true
            } catch {
                return false
            }
        }
    }
}
