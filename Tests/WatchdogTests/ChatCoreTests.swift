import Foundation
import Logging
import Notify
import Testing

@testable import Watchdog

/// The chat core (SPEC §13) as a table: an event and a snapshot in, effects out; no
/// clock, no server, no platform.
@Suite struct ChatCoreTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let web = SignalKey(.containerDown, "web")
    static let alice = ChatSender(id: "7", names: ["7", "alice"], shownName: "@alice")
    static let mallory = ChatSender(id: "9", names: ["9", "mallory"], shownName: "@mallory")
    static let chat = ChatPlace(room: "-100")

    /// `container_down:web` firing; a chat silence `chat-old` on disk_full; a configured
    /// mute `mute-1`.
    static func snapshot(rule: ChatAccess.Rule = .listed(["alice", "7"], list: "WATCHDOG_TELEGRAM_ADMINS"))
        -> ChatSnapshot
    {
        var status = WatchdogStatus.Snapshot()
        status.instance = "box-1"
        status.alerts[web] = TrackedAlert(
            state: AlertState(firing: true, activeCount: 1, since: now, lastNotified: now),
            signal: Signal(key: web, active: true, severity: .critical, title: "Container is down", detail: "exited"),
            announced: true)
        status.configured = (try? ConfiguredSilences(mute: [SignalKey(.procBlocking)])) ?? ConfiguredSilences()
        try? status.book.upsert(
            Silence(
                id: "chat-old", matchers: [LabelMatcher.anyOf([SignalKey(.diskFull)])], startsAt: now,
                endsAt: now.addingTimeInterval(3_600), createdBy: "@alice", comment: "x", origin: .chat,
                updatedAt: now), now: now)
        return ChatSnapshot(
            now: now, status: status, access: ChatAccess(place: chat, rule: rule), newSilenceID: "chat-new")
    }

    /// Effects as short lines a table can hold.
    static func summary(_ effect: ChatEffect) -> String {
        switch effect {
        case .silence(let silence):
            let seconds = Int(silence.endsAt?.timeIntervalSince(silence.startsAt) ?? -1)
            return
                "silence \(silence.id) \(silence.matchers.map(\.description).joined()) \(seconds)s by \(silence.createdBy)"
        case .unsilence(let id): return "unsilence \(id)"
        case .ack(let key, let by): return "ack \(key) by \(by)"
        case .answer(let lines): return "answer \(lines.first ?? "")"
        case .toast(let text): return "toast \(text)"
        case .edit(let message, let fire, let note):
            return "edit \(message) \(fire.family):\(fire.entity ?? "") \(note)"
        case .refuse(let reason): return "refuse \(reason)"
        }
    }

    struct Row: CustomTestStringConvertible, Sendable {
        let event: ChatInbound.Event
        var sender: ChatSender? = ChatCoreTests.alice
        var place: ChatPlace? = ChatCoreTests.chat
        var prefix: Character = "/"
        var rule: ChatAccess.Rule = .listed(["alice", "7"], list: "WATCHDOG_TELEGRAM_ADMINS")
        /// Each effect's summary starts with the line at its place.
        let effects: [String]

        var testDescription: String { "\(event) → \(effects)" }
    }

    static let thumbsUp = "👍"
    static let rows: [Row] = [
        // Commands.
        Row(event: .message(text: "/status", message: "1"), effects: ["answer 🔴 <b>1 firing</b> on box-1"]),
        Row(event: .message(text: "hello", message: "1"), effects: []),
        Row(event: .message(text: "/deploy", message: "1"), effects: []),
        Row(
            event: .message(text: "/status", message: "1"), place: ChatPlace(room: "-200"),
            effects: ["refuse another chat"]),
        Row(event: .message(text: "/status", message: "1"), place: nil, effects: ["refuse another chat"]),
        Row(
            event: .message(text: "/silence container_down 1h", message: "1"), sender: mallory,
            effects: ["refuse not in WATCHDOG_TELEGRAM_ADMINS", "answer ⛔ not allowed"]),
        Row(
            event: .message(text: "/status", message: "1"), sender: nil,
            effects: ["refuse no sender", "answer ⛔ not allowed"]),
        Row(
            event: .message(text: "/silence container_down:w* 2h deploy", message: "1"),
            effects: [
                "silence chat-new key=~\"container_down:w.*\" 7200s by @alice",
                "answer 🔕 silence <code>chat-new</code> by @alice until",
            ]),
        Row(event: .message(text: "/silence container_down 31d", message: "1"), effects: ["answer ⚠️ at most 30d"]),
        Row(
            event: .message(text: "/ack container_down:web", message: "1"),
            effects: [
                "ack container_down:web by @alice",
                "answer 👍 <code>container_down:web</code> acknowledged by @alice",
            ]),
        Row(
            event: .message(text: "/ack disk_full:/data", message: "1"),
            effects: ["answer ⚠️ <code>disk_full:/data</code> is not firing"]),
        Row(
            event: .message(text: "/unsilence chat-old", message: "1"),
            effects: ["unsilence chat-old", "answer 🔔 silence <code>chat-old</code> lifted"]),
        Row(
            event: .message(text: "/unsilence mute-1", message: "1"),
            effects: ["answer ⚠️ <code>mute-1</code> comes from the configuration"]),
        Row(
            event: .message(text: "/unsilence chat-none", message: "1"),
            effects: ["answer ⚠️ no silence <code>chat-none</code> (/silences lists them)"]),
        Row(event: .message(text: "/silences", message: "1"), effects: ["answer 🔕 <b>2 silences in force</b>"]),
        Row(event: .message(text: "/help", message: "1"), effects: ["answer <b>watchdog commands</b>"]),
        Row(
            event: .message(text: "/ack <b>x</b>", message: "1"),
            effects: ["answer ⚠️ not a key: &lt;b&gt;x&lt;/b&gt;"]),
        // Matrix's prefix: `!` commands are ours, `/` ones are not.
        Row(
            event: .message(text: "!status", message: "$e"), prefix: "!",
            effects: ["answer 🔴 <b>1 firing</b> on box-1"]),
        Row(event: .message(text: "/status", message: "$e"), prefix: "!", effects: []),
        Row(
            event: .message(text: "!unsilence chat-none", message: "$e"), prefix: "!",
            effects: ["answer ⚠️ no silence <code>chat-none</code> (!silences lists them)"]),
        Row(event: .message(text: "!deploy", message: "$e"), prefix: "!", effects: []),
        // Buttons.
        Row(
            event: .button(.ack(buttonID: "b"), key: web, message: "42"),
            effects: [
                "ack container_down:web by @alice", "toast 👍 acknowledged",
                "edit 42 container_down:web 👍 acknowledged by @alice",
            ]),
        Row(
            event: .button(.silence(buttonID: "b", duration: .seconds(3_600)), key: web, message: "42"),
            effects: [
                "silence chat-new key=\"container_down:web\" 3600s by @alice", "toast 🔕 silenced for 1h",
                "edit 42 container_down:web 🔕 silenced for 1h by @alice",
            ]),
        Row(event: .button(nil, key: nil, message: "42"), effects: ["toast this button is too old"]),
        Row(event: .button(.ack(buttonID: "gone"), key: nil, message: "42"), effects: ["toast this button is too old"]),
        Row(
            event: .button(.ack(buttonID: "b"), key: SignalKey(.diskFull, "/"), message: "42"),
            effects: ["toast not firing any more"]),
        Row(
            event: .button(.ack(buttonID: "b"), key: web, message: "42"), sender: mallory,
            effects: ["refuse not in WATCHDOG_TELEGRAM_ADMINS", "toast ⛔ not allowed"]),
        Row(
            event: .button(.ack(buttonID: "b"), key: web, message: "42"), place: ChatPlace(room: "-200"),
            effects: ["refuse another chat", "toast ⛔ not allowed"]),
        // Reactions: 👍 in any tone acknowledges a fire; anything else is talk.
        Row(
            event: .reaction(emoji: "👍🏽", key: web, message: "$fire"), prefix: "!",
            effects: ["ack container_down:web by @alice", "edit $fire container_down:web 👍 acknowledged by @alice"]),
        Row(
            event: .reaction(emoji: "👍\u{FE0F}", key: web, message: "$fire"), prefix: "!",
            effects: ["ack container_down:web by @alice", "edit $fire"]),
        Row(event: .reaction(emoji: "🎉", key: web, message: "$fire"), prefix: "!", effects: []),
        Row(event: .reaction(emoji: "👍👍", key: web, message: "$fire"), prefix: "!", effects: []),
        Row(event: .reaction(emoji: thumbsUp, key: nil, message: "$other"), prefix: "!", effects: []),
        Row(
            event: .reaction(emoji: thumbsUp, key: SignalKey(.diskFull, "/"), message: "$old"), prefix: "!",
            effects: []),
        Row(
            event: .reaction(emoji: thumbsUp, key: web, message: "$fire"), sender: mallory, prefix: "!",
            effects: ["refuse not in WATCHDOG_TELEGRAM_ADMINS", "answer ⛔ not allowed"]),
        // Matrix's power levels: at least the minimum acts, below it is refused.
        Row(
            event: .message(text: "!ack container_down:web", message: "$e"), prefix: "!",
            rule: .powerLevel(minimum: 50, levels: ["7": 50], usersDefault: 0),
            effects: ["ack container_down:web by @alice", "answer 👍"]),
        Row(
            event: .message(text: "!ack container_down:web", message: "$e"), sender: mallory, prefix: "!",
            rule: .powerLevel(minimum: 50, levels: ["7": 100], usersDefault: 0),
            effects: ["refuse power level 0 is below 50", "answer ⛔ not allowed"]),
        Row(
            event: .message(text: "!status", message: "$e"), sender: mallory, prefix: "!",
            rule: .powerLevel(minimum: 0, levels: [:], usersDefault: 0),
            effects: ["answer 🔴"]),
        Row(
            event: .message(text: "!status", message: "$e"), sender: mallory, prefix: "!", rule: .everyone,
            effects: ["answer 🔴"]),
    ]

    @Test(arguments: rows)
    func eventsBecomeEffects(_ row: Row) {
        let core = ChatCore(language: .en, prefix: row.prefix, botName: "wd_bot")
        let effects = core.handle(
            ChatInbound(row.event, sender: row.sender, place: row.place), Self.snapshot(rule: row.rule)
        ).map(Self.summary)
        #expect(effects.count == row.effects.count, "\(effects)")
        for (effect, expected) in zip(effects, row.effects) {
            #expect(effect.hasPrefix(expected), "\(effect) does not start with \(expected)")
        }
    }

    /// Both chats' long polls wait alike after a failure.
    @Test func aFailedPollWaitsWhatTheServerAsksOrBacksOff() {
        let rows: [(Int, Double?, Duration)] = [
            (1, nil, .seconds(1)), (2, nil, .seconds(2)), (6, nil, .seconds(32)), (7, nil, .seconds(60)),
            (Int.max, nil, .seconds(60)), (0, nil, .seconds(1)), (1, 2.5, .milliseconds(2_500)), (1, -1, .zero),
            (1, 1e300, .seconds(3_600)), (3, .nan, .seconds(4)), (3, .infinity, .seconds(4)),
        ]
        for (failures, retryAfter, wait) in rows {
            #expect(
                ChatPolling.wait(failures: failures, retryAfter: retryAfter) == wait,
                "\(failures) \(String(describing: retryAfter))")
        }
    }

    /// What replaces the rest when the keeper cannot make a change the snapshot allowed.
    @Test func aChangeTheEngineNoLongerTakesIsAnsweredForWhatItIs() {
        let core = ChatCore(language: .en, prefix: "!", botName: nil)
        let command = ChatInbound(.message(text: "!ack x", message: "$e"), sender: Self.alice, place: Self.chat)
        let button = ChatInbound(.button(.ack(buttonID: "b"), key: Self.web, message: "1"), sender: nil, place: nil)
        let reaction = ChatInbound(.reaction(emoji: "👍", key: Self.web, message: "$f"), sender: nil, place: nil)
        let ack = ChatEffect.ack(Self.web, by: "@alice")
        #expect(
            core.failed(ack, reason: "not firing", command).map(Self.summary) == [
                "answer ⚠️ <code>container_down:web</code> is not firing"
            ])
        #expect(core.failed(ack, reason: "not firing", button).map(Self.summary) == ["toast not firing any more"])
        #expect(core.failed(ack, reason: "not firing", reaction).map(Self.summary) == ["refuse not firing"])
        #expect(
            core.failed(.unsilence(id: "chat-1"), reason: "gone", command).map(Self.summary) == [
                "answer ⚠️ no silence <code>chat-1</code> (!silences lists them)"
            ])
        let full = core.failed(.silence(Self.snapshot().status.book.silences[0]), reason: "1000 <silences>", command)
        #expect(full.map(Self.summary) == ["answer ⚠️ no silence made: 1000 &lt;silences&gt;"])
    }

    /// A full book is answered, and nothing is half made.
    @Test func aSilenceTheBookCannotKeepIsRefusedBeforeAnythingChanges() throws {
        var snapshot = Self.snapshot()
        for index in 0..<SilenceBook.capacity - 1 {
            try snapshot.status.book.upsert(
                Silence(
                    id: "s\(index)", matchers: [LabelMatcher.anyOf([SignalKey(.diskFull)])], startsAt: Self.now,
                    endsAt: Self.now.addingTimeInterval(600), createdBy: "api", comment: "load", origin: .api,
                    updatedAt: Self.now), now: Self.now)
        }
        let core = ChatCore(language: .en, prefix: "/", botName: nil)
        let effects = core.handle(
            ChatInbound(.message(text: "/silence disk_full 1h", message: "1"), sender: Self.alice, place: Self.chat),
            snapshot)
        #expect(
            effects.map(Self.summary) == [
                "answer ⚠️ no silence made: there are already 1000 silences; expire some first"
            ])
    }
}

/// `/sync` answers and the calls around it, read as the Matrix adapter reads them.
@Suite struct MatrixSyncTests {
    @Test func aSyncAnswerIsReadLenientlyForOneRoom() throws {
        // The fuzz target's seed, replayed by FuzzInputTests too.
        let url = FuzzInputTests.inputs.appendingPathComponent("chat-update/matrix-sync.json")
        let bytes = Array(try Data(contentsOf: url))
        let batch = try #require(MatrixSync.batch(from: bytes, room: "!room:hs"))
        #expect(batch.nextBatch == "s72595_4483_1934" && batch.invited && batch.limited)
        #expect(
            batch.events.map(\.kind) == [
                .text("!silence container_down:web 1h"), .reaction(key: "👍🏿", target: "$fire"), .other,
                .membership(user: "@watchdog:hs", membership: "join"), .other,
            ])
        #expect(MatrixSync.batch(from: bytes, room: "!other:hs")?.events.isEmpty == true)
        #expect(MatrixSync.batch(from: Array(#"{"rooms":{}}"#.utf8), room: "!room:hs") == nil)
        let levels = try #require(MatrixSync.powerLevels(from: bytes))
        #expect(levels.users == ["@alice:hs": 50, "@bob:hs": 100] && levels.usersDefault == -1)
        #expect(MatrixSync.userID(from: bytes) == "@watchdog:hs" && MatrixSync.roomID(from: bytes) == "!room:hs")
    }

    @Test func theFilterAsksForTheRoomsMessagesReactionsAndMembershipsOnly() throws {
        let url = MatrixSync.syncURL(base: "http://hs", room: "!r:hs", since: "s1")
        #expect(url.hasPrefix("http://hs/_matrix/client/v3/sync?filter=") && url.hasSuffix("&timeout=25000&since=s1"))
        #expect(MatrixSync.syncURL(base: "http://hs", room: "!r:hs", since: nil).hasSuffix("&timeout=0"))
        let filter = try #require(
            try JSONSerialization.jsonObject(with: Data(MatrixSync.filter(room: "!r:hs").utf8)) as? [String: Any])
        let room = try #require(filter["room"] as? [String: Any])
        #expect(room["rooms"] as? [String] == ["!r:hs"])
        let timeline = try #require(room["timeline"] as? [String: Any])
        #expect(timeline["types"] as? [String] == ["m.room.message", "m.reaction", "m.room.member"])
        #expect(timeline["limit"] as? Int == MatrixSync.timelineLimit)
    }
}
