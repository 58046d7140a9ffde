import FoundationEssentials
import FoundationGaps
import NIOHTTP1
import OutboundHTTP

/// Where a Matrix room is and the access token to post with.
public struct MatrixSettings: Sendable, Equatable {
    /// `http(s)://host[:port]`: the homeserver's client API.
    public var homeserverURL: String
    public var accessToken: String
    /// `!id:server`, or an alias `#name:server` resolved once, at the first send.
    public var room: String
    /// `?commands=yes`: the room is read for commands and reactions (SPEC §13).
    public var commands: Bool
    /// `&admins=`: the user ids (`@alice:server`) who may act; empty: by power level.
    public var admins: [String]
    /// `&min_power=`: without admins, the power level a member needs to act.
    public var minimumPower: Int

    public init(
        homeserverURL: String, accessToken: String, room: String, commands: Bool = false, admins: [String] = [],
        minimumPower: Int = 50
    ) {
        self.homeserverURL = homeserverURL
        self.accessToken = accessToken
        self.room = room
        self.commands = commands
        self.admins = admins
        self.minimumPower = minimumPower
    }
}

/// A Matrix room (SPEC §5.1): `m.notice` events sent by transaction id (the message's
/// own id, so a retried send can never post twice), repeats and resolve in the fire's
/// thread, the fire edited on resolve, 429s waited as `retry_after_ms` says. The room is
/// joined once (an invitation is enough); a room that turns out to be end-to-end
/// encrypted is refused (the watchdog cannot encrypt) with that reason.
public struct MatrixChannel: NotificationChannel {
    public let name: String
    public var destination: String {
        ShownURL.of(settings.homeserverURL, pathIsSecret: false) + " room \(settings.room)"
    }
    /// Synapse's default allows a user about one message a second after a burst of ten.
    public let pacing = Pacing(minimumGap: .milliseconds(500), windowLimit: 60, window: .seconds(60))
    public var threadsReplies: Bool { true }
    public let settings: MatrixSettings
    public let renderer: MatrixRenderer
    private let post: HTTPPost
    let room: MatrixRoomResolver

    public init(name: String, settings: MatrixSettings, language: Language, post: HTTPPost) {
        self.name = name
        var settings = settings
        settings.homeserverURL = settings.homeserverURL.trimmingSuffix("/")
        self.settings = settings
        self.renderer = MatrixRenderer(language: language)
        self.post = post
        self.room = MatrixRoomResolver(settings: settings, post: post)
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        renderer.render(batch)
    }

    /// What the room is, asked now (the bot joins it if invited): at start, an
    /// encrypted room stops the watchdog (SPEC §13), and the chat reads the room by id.
    public func checkRoom() async -> MatrixRoomCheck {
        switch await room.resolve() {
        case .success(let id): return .ready(roomID: id)
        case .failure(let failure):
            if failure.encrypted { return .encrypted }
            switch failure.outcome {
            case .retryable(let reason, _), .permanent(let reason): return .unknown(reason: reason)
            default: return .unknown(reason: "no answer")
            }
        }
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await send(message, links: .none)
    }

    public func send(_ message: OutboundMessage, links: ResolvedLinks) async -> SendOutcome {
        if message.links.isEdit, links.edit == nil { return .delivered }
        guard let content = JSONValue.parse(Array(message.body.utf8)) else {
            return .permanent(reason: "the stored message is not a Matrix event")
        }
        let roomID: String
        switch await room.resolve() {
        case .success(let id): roomID = id
        case .failure(let failure): return failure.outcome
        }
        let event = MatrixRenderer.relate(
            content, thread: message.links.isEdit ? nil : links.replyTo, replacing: links.edit)
        let secrets = [settings.accessToken]
        let answer = await post.send(
            url: MatrixAPI.sendURL(base: settings.homeserverURL, room: roomID, transaction: message.id),
            method: .put, body: Array(event.encodedString.utf8),
            headers: [("Authorization", "Bearer \(settings.accessToken)")], secrets: secrets)
        switch answer {
        case .failed(let reason):
            return .retryable(reason: HTTPPost.redact(reason, secrets: secrets), retryAfter: nil)
        case .response(let status, let headers, let body):
            switch MatrixAPI.classify(status: status, body: body, retryAfterHeader: HTTPPost.retryAfter(headers)) {
            case .delivered(let eventID):
                return eventID.map { .deliveredAs(reference: $0) } ?? .delivered
            case .retry(let reason, let after):
                return .retryable(reason: HTTPPost.redact(reason, secrets: secrets), retryAfter: after)
            case .rejected(let reason):
                return .permanent(reason: HTTPPost.redact(reason, secrets: secrets))
            }
        }
    }
}

/// What a Matrix room turned out to be.
public enum MatrixRoomCheck: Sendable, Equatable {
    case ready(roomID: String)
    case encrypted
    /// Not known now: not invited yet, the homeserver unreachable, the token refused.
    case unknown(reason: String)
}

/// The room id the channel sends to: the room joined once (`POST /join/{room}`, which
/// also resolves an alias and is nothing new when the bot is a member already, so an
/// invited bot needs nobody to log in as it), and checked for end-to-end encryption.
/// Only success is kept: after "not invited" or "encrypted", the next message looks
/// again, so inviting the bot or choosing another room needs no restart.
actor MatrixRoomResolver {
    struct Failure: Error {
        let outcome: SendOutcome
        var encrypted = false
    }

    private let settings: MatrixSettings
    private let post: HTTPPost
    private var known: String?

    init(settings: MatrixSettings, post: HTTPPost) {
        self.settings = settings
        self.post = post
    }

    func resolve() async -> Result<String, Failure> {
        if let known { return .success(known) }
        let result = await lookUp()
        if case .success(let id) = result { known = id }
        return result
    }

    private func lookUp() async -> Result<String, Failure> {
        let secrets = [settings.accessToken]
        let authorization = [("Authorization", "Bearer \(settings.accessToken)")]
        let roomID: String
        let joined = await post.send(
            url: MatrixAPI.joinURL(base: settings.homeserverURL, room: settings.room), body: Array("{}".utf8),
            headers: authorization, secrets: secrets)
        switch joined {
        case .failed(let reason):
            return .failure(Failure(outcome: .retryable(reason: "join \(settings.room): \(reason)", retryAfter: nil)))
        case .response(let status, let headers, let body):
            guard (200..<300).contains(status) else {
                return .failure(Self.failure("join \(settings.room)", status, body, headers, secrets))
            }
            guard let id = JSONValue.parse(body)?["room_id"]?.stringValue, id.hasPrefix("!"), id.count < 256 else {
                return .failure(
                    Failure(
                        outcome: .retryable(reason: "join \(settings.room): no room_id in the answer", retryAfter: nil))
                )
            }
            roomID = id
        }
        // The watchdog cannot encrypt: an encrypted room would show nothing readable.
        let answer = await post.send(
            url: MatrixAPI.encryptionURL(base: settings.homeserverURL, room: roomID), method: .get, body: [],
            headers: authorization, secrets: secrets)
        switch answer {
        case .failed(let reason):
            return .failure(Failure(outcome: .retryable(reason: "room state: \(reason)", retryAfter: nil)))
        case .response(let status, let headers, let body):
            if (200..<300).contains(status) {
                return .failure(
                    Failure(
                        outcome: .permanent(
                            reason:
                                "room \(settings.room) is end-to-end encrypted; the watchdog posts only to unencrypted rooms"
                        ), encrypted: true))
            }
            // 404 M_NOT_FOUND: no encryption state, which is what it needs.
            if status == 404 { return .success(roomID) }
            return .failure(Self.failure("room \(settings.room)", status, body, headers, secrets))
        }
    }

    static func failure(_ what: String, _ status: Int, _ body: [UInt8], _ headers: HTTPHeaders, _ secrets: [String])
        -> Failure
    {
        switch MatrixAPI.classify(status: status, body: body, retryAfterHeader: HTTPPost.retryAfter(headers)) {
        case .delivered:
            return Failure(outcome: .retryable(reason: "\(what): HTTP \(status)", retryAfter: nil))
        case .retry(let reason, let after):
            return Failure(
                outcome: .retryable(reason: "\(what): " + HTTPPost.redact(reason, secrets: secrets), retryAfter: after))
        case .rejected(let reason):
            return Failure(outcome: .permanent(reason: "\(what): " + HTTPPost.redact(reason, secrets: secrets)))
        }
    }
}
