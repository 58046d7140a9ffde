import FoundationEssentials
import FoundationGaps

/// Reading a Matrix room for commands (SPEC §13): the client-server API's `/sync` and
/// the few calls around it, and how to read their answers. Pure.
public enum MatrixSync {
    /// The server holds a poll this long when nothing happens.
    public static let pollTimeoutSeconds = 25
    /// Events per room per answer. Synapse refuses events over 64 KiB, so ten stay under
    /// the 1 MiB an answer may have; a poll returns as soon as anything happens, so more
    /// arrive between two polls only after a downtime (the newest are read then).
    public static let timelineLimit = 10

    /// The filter: the room's messages, reactions and memberships (to see where the
    /// bot's own join is), nothing else: no presence, typing, receipts or account data.
    public static func filter(room: String) -> String {
        let none: JSONValue = ["not_types": ["*"]]
        let object: JSONValue = .object([
            "presence": none, "account_data": none,
            "room": .object([
                "rooms": .array([JSONValue(room)]),
                "timeline": .object([
                    "types": ["m.room.message", "m.reaction", "m.room.member"],
                    "limit": JSONValue(timelineLimit),
                ]),
                "state": .object(["types": .array([]), "lazy_load_members": .bool(true)]),
                "ephemeral": none, "account_data": none,
            ]),
        ])
        return object.encodedString
    }

    /// `GET …/sync`: `since` nil is the first sync ever, answered at once (timeout 0).
    public static func syncURL(base: String, room: String, since: String?, timeout: Int = pollTimeoutSeconds)
        -> String
    {
        var url =
            "\(base)/_matrix/client/v3/sync?filter=\(MatrixAPI.segment(filter(room: room)))"
            + "&timeout=\(since == nil ? 0 : timeout * 1000)"
        if let since { url += "&since=\(MatrixAPI.segment(since))" }
        return url
    }

    public static func whoamiURL(base: String) -> String {
        "\(base)/_matrix/client/v3/account/whoami"
    }

    public static func powerLevelsURL(base: String, room: String) -> String {
        "\(base)/_matrix/client/v3/rooms/\(MatrixAPI.segment(room))/state/m.room.power_levels/"
    }

    /// `GET …/directory/room/{alias}`: an alias's room id, for a bot not yet in the room.
    public static func directoryURL(base: String, alias: String) -> String {
        "\(base)/_matrix/client/v3/directory/room/\(MatrixAPI.segment(alias))"
    }

    /// One event of the room's timeline, as far as the chat needs it.
    public struct Event: Sendable, Equatable {
        public var id: String
        public var sender: String
        public var kind: Kind
        /// The thread (`m.thread`) the event was written in: its root's id.
        public var thread: String?

        public enum Kind: Sendable, Equatable {
            /// A text message (`m.text`, `m.notice`'s are bots'); edits and the like are `.other`.
            case text(String)
            /// An annotation (`m.reaction`) of `target` with `key`.
            case reaction(key: String, target: String)
            /// `m.room.member` of `user` becoming `membership`.
            case membership(user: String, membership: String)
            case other
        }

        public init(id: String, sender: String, kind: Kind, thread: String? = nil) {
            self.id = id
            self.sender = sender
            self.kind = kind
            self.thread = thread
        }
    }

    /// A `/sync` answer as far as one room goes.
    public struct Batch: Sendable, Equatable {
        public var nextBatch: String
        /// The room's new timeline events, oldest first.
        public var events: [Event]
        /// The bot is invited to the room (and not in it yet).
        public var invited: Bool
        /// More happened than the answer holds: the oldest were left out.
        public var limited: Bool

        public init(nextBatch: String, events: [Event], invited: Bool = false, limited: Bool = false) {
            self.nextBatch = nextBatch
            self.events = events
            self.invited = invited
            self.limited = limited
        }
    }

    /// Reads a `/sync` answer for `room`; nil when it is none (no `next_batch`). Read
    /// leniently: an event of an unexpected shape is `.other`, never an error.
    public static func batch(from body: [UInt8], room: String) -> Batch? {
        guard let object = JSONValue.parse(body), let next = object["next_batch"]?.stringValue, !next.isEmpty,
            next.utf8.count <= 1024
        else { return nil }
        let rooms = object["rooms"]
        let joined = rooms?["join"]?[room]
        let timeline = joined?["timeline"]
        let events = (timeline?["events"]?.arrayValue ?? []).prefix(1_000).compactMap(event(from:))
        return Batch(
            nextBatch: next, events: Array(events), invited: rooms?["invite"]?[room] != nil,
            limited: timeline?["limited"]?.boolValue ?? false)
    }

    static func event(from value: JSONValue) -> Event? {
        guard let id = value["event_id"]?.stringValue, !id.isEmpty, id.utf8.count <= 255,
            let sender = value["sender"]?.stringValue, sender.utf8.count <= 255, let type = value["type"]?.stringValue
        else { return nil }
        let content = value["content"]
        let relation = content?["m.relates_to"]
        switch type {
        case "m.room.message":
            // An edit (`m.replace`) is not a new command; a notice is a bot's.
            guard content?["msgtype"]?.stringValue == "m.text", relation?["rel_type"]?.stringValue != "m.replace",
                let body = content?["body"]?.stringValue
            else { return Event(id: id, sender: sender, kind: .other) }
            let thread =
                relation?["rel_type"]?.stringValue == "m.thread"
                ? relation?["event_id"]?.stringValue.flatMap { $0.utf8.count <= 255 ? $0 : nil } : nil
            return Event(
                id: id, sender: sender, kind: .text(withoutReplyFallback(String(body.prefix(4096)))), thread: thread)
        case "m.reaction":
            guard relation?["rel_type"]?.stringValue == "m.annotation",
                let target = relation?["event_id"]?.stringValue, target.utf8.count <= 255,
                let key = relation?["key"]?.stringValue, key.utf8.count <= 64
            else { return Event(id: id, sender: sender, kind: .other) }
            return Event(id: id, sender: sender, kind: .reaction(key: key, target: target))
        case "m.room.member":
            guard let user = value["state_key"]?.stringValue, let membership = content?["membership"]?.stringValue
            else { return Event(id: id, sender: sender, kind: .other) }
            return Event(id: id, sender: sender, kind: .membership(user: user, membership: membership))
        default:
            return Event(id: id, sender: sender, kind: .other)
        }
    }

    /// A reply's body may start with the quoted message (`> <@a:hs> …` lines, then a
    /// blank line), as older clients send it: the command is what follows.
    static func withoutReplyFallback(_ body: String) -> String {
        guard body.hasPrefix("> ") else { return body }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        let rest = lines.drop { $0.hasPrefix(">") }.drop { $0.isEmpty }
        return rest.joined(separator: "\n")
    }

    /// `GET /account/whoami`'s user id.
    public static func userID(from body: [UInt8]) -> String? {
        guard let id = JSONValue.parse(body)?["user_id"]?.stringValue, id.hasPrefix("@"), id.utf8.count <= 255
        else { return nil }
        return id
    }

    /// A room id from `POST /join` or `GET /directory/room`.
    public static func roomID(from body: [UInt8]) -> String? {
        guard let id = JSONValue.parse(body)?["room_id"]?.stringValue, id.hasPrefix("!"), id.utf8.count <= 255
        else { return nil }
        return id
    }

    /// A level: a number, or in rooms of old versions a string of one.
    static func powerLevel(_ value: JSONValue) -> Int? {
        value.intValue ?? value.stringValue.flatMap { Int($0.trimmingWhitespaceAndNewlines()) }
    }

    /// The room's power levels: per user, and everyone else's (`users_default`, 0 when
    /// absent, as the spec says).
    public static func powerLevels(from body: [UInt8]) -> (users: [String: Int], usersDefault: Int)? {
        guard let object = JSONValue.parse(body), object.objectValue != nil else { return nil }
        var users: [String: Int] = [:]
        for (user, level) in (object["users"]?.objectValue ?? [:]).prefix(10_000) {
            if let level = powerLevel(level) { users[user] = level }
        }
        return (users, object["users_default"].flatMap(powerLevel) ?? 0)
    }
}
