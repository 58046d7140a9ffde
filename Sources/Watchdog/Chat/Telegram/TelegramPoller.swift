import FoundationEssentials
import Logging
import Notify
import ServiceLifecycle

/// Reads the chat by `getUpdates` long polling (SPEC §13), on its own task so it never
/// delays a tick or a delivery: the outboxes send while it waits.
///
/// A 409 (a webhook is set, or another program polls the same bot) is logged as an error
/// once and tried again every minute, as are refusals (a revoked token); Telegram's own
/// troubles and network errors back off from 1 s to a minute; a 429 waits what it says.
public struct TelegramPoller<C: Clock>: Service where C.Duration == Duration {
    let conversation: ChatConversation<C>
    let channel: TelegramChannel
    /// Longer than the poll's 25 s, which the server holds the request for.
    let post: HTTPPost
    let clock: C
    let logger: Logger
    public static var pollTimeout: Int { 25 }
    static var refusedPause: Duration { ChatPolling.refusedPause }

    public init(conversation: ChatConversation<C>, channel: TelegramChannel, post: HTTPPost, clock: C, logger: Logger) {
        self.conversation = conversation
        self.channel = channel
        self.post = post
        self.clock = clock
        self.logger = logger
    }

    /// Why a poll brought nothing; decides the wait before the next.
    enum Step: Error, Equatable {
        case refused(reason: String, conflict: Bool)
        case failed(reason: String, retryAfter: Double?)
    }

    public func run() async throws {
        let (conversation, channel, post, clock, logger) = (conversation, channel, post, clock, logger)
        await cancelWhenGracefulShutdown {
            var botName: String?
            var reported: String?
            var failures = 0
            while !Task.isCancelled {
                if botName == nil {
                    switch await Self.poll(channel, "getMe", body: [], post: post) {
                    case .success(let body):
                        botName = TelegramUpdate.botName(from: body)
                        logger.info("reading the chat for commands", metadata: ["bot": "\(botName ?? "?")"])
                    case .failure(let step):
                        if await !Self.pause(after: step, failures: &failures, reported: &reported, clock, logger) {
                            return
                        }
                        continue
                    }
                }
                let body = TelegramAPI.getUpdatesBody(offset: await conversation.offset(), timeout: Self.pollTimeout)
                switch await Self.poll(channel, "getUpdates", body: body, post: post) {
                case .success(let answer):
                    guard let updates = TelegramUpdate.list(from: answer) else {
                        let step = Step.failed(
                            reason: "getUpdates answered something that is not a list", retryAfter: nil)
                        if await !Self.pause(after: step, failures: &failures, reported: &reported, clock, logger) {
                            return
                        }
                        continue
                    }
                    if reported != nil {
                        logger.notice("reading the chat again")
                        reported = nil
                    }
                    failures = 0
                    await conversation.handle(updates, botName: botName)
                case .failure(let step):
                    if await !Self.pause(after: step, failures: &failures, reported: &reported, clock, logger) {
                        return
                    }
                }
            }
        }
    }

    /// One call; the answer's body when Telegram said ok.
    static func poll(_ channel: TelegramChannel, _ method: String, body: [UInt8], post: HTTPPost) async
        -> Result<[UInt8], Step>
    {
        switch await channel.raw(method, body: body.isEmpty ? Array("{}".utf8) : body, post: post) {
        case .failed(let reason):
            return .failure(.failed(reason: "\(method): \(channel.scrub(reason))", retryAfter: nil))
        case .response(let status, _, let answer):
            switch TelegramAPI.classify(status: status, body: answer) {
            case .delivered, .deliveredAs:
                return .success(answer)
            case .retry(let reason, let after):
                return .failure(.failed(reason: "\(method): \(channel.scrub(reason))", retryAfter: after))
            case .rejected(let reason), .migrate(let reason):
                return .failure(.refused(reason: "\(method): \(channel.scrub(reason))", conflict: status == 409))
            }
        }
    }

    /// Logs `step` as it deserves and sleeps; false when cancelled.
    static func pause(after step: Step, failures: inout Int, reported: inout String?, _ clock: C, _ logger: Logger)
        async -> Bool
    {
        let wait: Duration
        switch step {
        case .refused(let reason, let conflict):
            if reported != reason {
                logger.error(
                    conflict
                        ? "cannot read the chat: another program reads this bot's updates (a webhook, or a second poller); trying again every minute"
                        : "cannot read the chat: the Bot API refused; trying again every minute",
                    metadata: ["reason": "\(reason)"])
                reported = reason
            }
            wait = refusedPause
        case .failed(let reason, let retryAfter):
            failures += 1
            wait = ChatPolling.wait(failures: failures, retryAfter: retryAfter)
            logger.warning(
                "reading the chat failed; trying again",
                metadata: ["reason": "\(reason)", "retry_in_s": "\(wait.seconds)"])
        }
        do {
            try await clock.sleep(for: wait)
            return true
        } catch {
            return false
        }
    }
}
