import Foundation
import Logging
import Notify
import Testing

@testable import Watchdog

/// One conversation table through both adapters in process (SPEC §13: one command set,
/// one set of rules): the same commands, as Telegram updates and as Matrix events, make
/// the same changes and the same answers. The outboxes are only staged into, never sent,
/// so neither adapter needs its server here.
@Suite struct ChatAdaptersTests {
    static let web = SignalKey(.containerDown, "web")

    struct Step: Sendable {
        let words: String
        let admin: Bool
        /// In the answer's text, markup dropped.
        let answer: String
        let silences: Int
        let acknowledged: Bool
    }

    static let table: [Step] = [
        Step(words: "status", admin: true, answer: "1 firing on box-1", silences: 0, acknowledged: false),
        Step(
            words: "silence container_down:web 1h deploy", admin: false, answer: "not allowed", silences: 0,
            acknowledged: false),
        Step(words: "ack container_down:web", admin: false, answer: "not allowed", silences: 0, acknowledged: false),
        Step(
            words: "silence container_down:web 1h deploy", admin: true, answer: "matches now: container_down:web",
            silences: 1, acknowledged: false),
        Step(
            words: "ack container_down:web", admin: true, answer: "container_down:web acknowledged by", silences: 1,
            acknowledged: true),
        Step(words: "silences", admin: true, answer: "1 silences in force", silences: 1, acknowledged: true),
        Step(words: "ack disk_full:/data", admin: true, answer: "is not firing", silences: 1, acknowledged: true),
        Step(words: "silence nonsense 1h", admin: true, answer: "not a key", silences: 1, acknowledged: true),
        Step(words: "help", admin: true, answer: "ack KEY: no more repeats", silences: 1, acknowledged: true),
    ]

    struct Parts {
        let engine: TickEngine<ContinuousClock>
        let store: StateStore
        let status: WatchdogStatus
    }

    static func parts() async -> Parts {
        let now = Date()
        var state = EngineState()
        state.alerts[web] = TrackedAlert(
            state: AlertState(firing: true, activeCount: 1, since: now, lastNotified: now),
            signal: Signal(key: web, active: true, severity: .critical, title: "Container is down", detail: "exited"),
            announced: true)
        let settings = DecisionSettings(
            instance: "box-1", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(1800), processCooldown: nil), texts: Texts(.en))
        let engine = TickEngine(
            sources: [], settings: settings, collectTimeout: .seconds(5), clock: ContinuousClock(), state: state)
        let store = StateStore(path: nil, engine: state, logger: Logger(label: "test"), now: { Date() })
        await store.setEngineSource { await engine.state }
        return Parts(engine: engine, store: store, status: WatchdogStatus(instance: "box-1"))
    }

    static func text(ofHTML html: String) -> String {
        html.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
    }

    /// What a platform answered to one line: the texts of the messages it staged.
    typealias Platform = @Sendable (_ line: String, _ admin: Bool, _ index: Int) async -> [String]

    static func walk(_ parts: Parts, prefix: String, _ platform: Platform) async {
        for (index, step) in table.enumerated() {
            let answers = await platform(prefix + step.words, step.admin, index)
            #expect(answers.contains { $0.contains(step.answer) }, "\(prefix)\(step.words): \(answers)")
            let state = await parts.engine.state
            #expect(state.silences.silences.count == step.silences, "\(prefix)\(step.words)")
            #expect((state.silences.acknowledgements[web] != nil) == step.acknowledged, "\(prefix)\(step.words)")
        }
    }

    @Test func telegramFollowsTheTable() async throws {
        let parts = await Self.parts()
        let channel = TelegramChannel(
            settings: TelegramSettings(
                token: "1:unused", chatID: "-100", threadID: nil, silentResolved: true,
                apiBaseURL: "http://127.0.0.1:9", commands: true, admins: ["alice"]),
            language: .en, post: HTTPPost(timeout: .seconds(1)), logger: Logger(label: "test"))
        let outbox = ChannelOutbox(channel: channel, clock: ContinuousClock(), logger: Logger(label: "test"))
        let conversation = ChatConversation(
            engine: parts.engine, store: parts.store, status: parts.status, outbox: outbox, channel: channel,
            language: .en, logger: Logger(label: "test"), now: { Date() })
        await Self.walk(parts, prefix: "/") { line, admin, index in
            let before = await outbox.snapshot().count
            let sender = admin ? TelegramUpdate.Sender(id: 7, username: "alice") : .init(id: 9, username: "mallory")
            await conversation.handle(
                [
                    TelegramUpdate(
                        updateID: Int64(index + 1),
                        message: .init(messageID: Int64(index + 1), chatID: -100, sender: sender, text: line))
                ], botName: "wd_bot")
            return await outbox.snapshot().dropFirst(before).map { Self.text(ofHTML: $0.body) }
        }
    }

    func matrix(_ parts: Parts) -> (MatrixConversation<ContinuousClock>, ChannelOutbox<ContinuousClock>) {
        let channel = MatrixChannel(
            name: "ops",
            settings: MatrixSettings(
                homeserverURL: "http://127.0.0.1:9", accessToken: "syt_unused", room: "!room:hs", commands: true,
                admins: ["@alice:hs"]),
            language: .en, post: HTTPPost(timeout: .seconds(1)))
        let outbox = ChannelOutbox(channel: channel, clock: ContinuousClock(), logger: Logger(label: "test"))
        let conversation = MatrixConversation(
            engine: parts.engine, store: parts.store, status: parts.status, outbox: outbox, channel: channel,
            language: .en, logger: Logger(label: "test"), now: { Date() })
        return (conversation, outbox)
    }

    static func bodies(_ messages: some Sequence<OutboundMessage>) -> [String] {
        messages.compactMap { message in
            (try? JSONSerialization.jsonObject(with: Data(message.body.utf8)) as? [String: Any])?["body"] as? String
        }.map { $0.replacingOccurrences(of: "\u{200B}", with: "") }
    }

    @Test func matrixFollowsTheTable() async throws {
        let parts = await Self.parts()
        let (conversation, outbox) = matrix(parts)
        await conversation.begin(at: "s0")
        await Self.walk(parts, prefix: "!") { line, admin, index in
            let before = await outbox.snapshot().count
            let event = MatrixSync.Event(
                id: "$e\(index)", sender: admin ? "@alice:hs" : "@mallory:hs", kind: .text(line))
            await conversation.handle(
                MatrixSync.Batch(nextBatch: "s\(index + 1)", events: [event]), since: "s\(index)",
                roomID: "!room:hs", bot: "@watchdog:hs", levels: nil)
            return Self.bodies(await outbox.snapshot().dropFirst(before))
        }
    }

    /// A batch read again after a crash: what was handled is skipped, the rest runs, and
    /// the bot's own messages and what came before its join never do.
    @Test func matrixSkipsWhatABatchAlreadyHandledAndWhatCameBeforeTheJoin() async throws {
        let parts = await Self.parts()
        let (conversation, outbox) = matrix(parts)
        await conversation.begin(at: "s0")
        await parts.store.updateChat { $0.matrix["ops"] = MatrixSyncPosition(since: "s0", handled: ["$done"]) }
        let events = [
            MatrixSync.Event(id: "$before", sender: "@alice:hs", kind: .text("!status")),
            MatrixSync.Event(
                id: "$join", sender: "@watchdog:hs", kind: .membership(user: "@watchdog:hs", membership: "join")),
            MatrixSync.Event(id: "$done", sender: "@alice:hs", kind: .text("!help")),
            MatrixSync.Event(id: "$own", sender: "@watchdog:hs", kind: .text("!status")),
            MatrixSync.Event(id: "$new", sender: "@alice:hs", kind: .text("!silences")),
        ]
        await conversation.handle(
            MatrixSync.Batch(nextBatch: "s1", events: events), since: "s0", roomID: "!room:hs", bot: "@watchdog:hs",
            levels: nil)
        let staged = await outbox.snapshot()
        #expect(staged.map(\.id) == ["chat:$new:1"])
        #expect(Self.bodies(staged).first?.contains("no silences in force") == true)
        #expect(await conversation.position() == MatrixSyncPosition(since: "s1"))
    }
}
