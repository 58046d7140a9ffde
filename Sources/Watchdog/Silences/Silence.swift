import FoundationEssentials
import Notify

/// A silence (SPEC §4.1): matchers, a start, an end, who made it and why, and where it
/// came from. One model for every origin: standing ones from `WATCHDOG_MUTE`, recurring
/// windows from `WATCHDOG_MAINTENANCE`, and those made from the chat or the API.
public struct Silence: Sendable, Codable, Equatable, Identifiable {
    public enum Origin: String, Sendable, Codable {
        case environment
        case schedule
        case api
        case chat

        /// Standing and scheduled silences are configuration: listed, never lifted by hand.
        public var isConfigured: Bool { self == .environment || self == .schedule }
    }

    public var id: String
    /// All must match (as in Alertmanager). Never empty.
    public var matchers: [LabelMatcher]
    public var startsAt: Date
    /// nil: standing, no end.
    public var endsAt: Date?
    public var createdBy: String
    public var comment: String
    public var origin: Origin
    public var updatedAt: Date

    /// The one way a silence is made, whatever makes it (the environment, a schedule,
    /// the API, the chat, a button): every bound is checked here, so each origin refuses
    /// the same silence with the same reason (SPEC §4.1).
    public init(
        id: String, matchers: [LabelMatcher], startsAt: Date, endsAt: Date?, createdBy: String, comment: String,
        origin: Origin, updatedAt: Date
    ) throws(SilenceError) {
        guard !matchers.isEmpty else { throw SilenceError("at least one matcher is needed") }
        guard matchers.count <= Self.maximumMatchers else {
            throw SilenceError("at most \(Self.maximumMatchers) matchers")
        }
        // Checked again as if posted: a matcher built from chat words or a variable
        // (`LabelMatcher.anyOf`) skipped the bounds of the checking initialiser.
        var checked: [LabelMatcher] = []
        for matcher in matchers {
            checked.append(try LabelMatcher(name: matcher.name, op: matcher.op, value: matcher.value))
        }
        guard checked.map({ $0.name.utf8.count + $0.value.utf8.count }).reduce(0, +) <= Self.maximumMatcherBytes
        else { throw SilenceError("the matchers are over \(Self.maximumMatcherBytes) bytes together") }
        guard checked.contains(where: { !CompiledMatcher($0).matches([:]) }) else {
            throw SilenceError("at least one matcher must not match the empty string, or the silence holds everything")
        }
        guard !createdBy.isEmpty else { throw SilenceError("createdBy is missing") }
        guard !comment.isEmpty else { throw SilenceError("comment is missing") }
        guard createdBy.count <= Self.maximumTextLength, comment.count <= Self.maximumTextLength else {
            throw SilenceError("createdBy and comment are limited to \(Self.maximumTextLength) characters")
        }
        if let endsAt { guard endsAt > startsAt else { throw SilenceError("endsAt must be after startsAt") } }
        self.id = id
        self.matchers = checked
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
        self.origin = origin
        self.updatedAt = updatedAt
    }

    public enum State: String, Sendable {
        case pending
        case active
        case expired
    }

    public func state(at now: Date) -> State {
        if now < startsAt { return .pending }
        if let endsAt, now >= endsAt { return .expired }
        return .active
    }

    public func isActive(at now: Date) -> Bool { state(at: now) == .active }

    /// Bounds on the free text, which comes from HTTP bodies and chat lines.
    public static let maximumTextLength = 500
    public static let maximumMatchers = 20
    /// The names and values of one silence's matchers together: with the book's capacity
    /// this keeps the silences a few MB of the state file at most.
    public static let maximumMatcherBytes = 2_048
}

/// Which silence, in which version, held a key: while that silence is in force
/// unchanged, the key is still held without matching it again.
public struct SilenceMark: Sendable, Codable, Equatable {
    public let id: String
    /// `Silence.version` when it held the key.
    public let version: String

    public init(id: String, version: String) {
        self.id = id
        self.version = version
    }
}

extension Silence {
    /// Changes whenever what the silence matches or when it was changed does: a reload
    /// that gives `mute-1` other matchers is a new version although the id is the same.
    public var version: String {
        WebhookPayload.fingerprint([
            "matchers": matchers.map(\.description).joined(separator: "\u{1}"),
            "updated": String(updatedAt.timeIntervalSince1970),
        ])
    }
}

/// An acknowledgement (SPEC §4.1, §4.3): stops the repeats and the escalation of one
/// firing key until it resolves. Made from anywhere, always through
/// `SilenceKeeper.acknowledge`, which records who, when and from where; shown by
/// `/alerts` and `/api/v2/alerts`, and told once to every channel that heard of the alert.
public struct Acknowledgement: Sendable, Codable, Equatable {
    public var by: String
    public var at: Date
    /// Where it came from: the chat or Pushover channel's name, `api`, `link`. nil in state
    /// files from before it was recorded.
    public var via: String?

    public init(by: String, at: Date, via: String? = nil) {
        self.by = by
        self.at = at
        self.via = via
    }
}

/// The silences and acknowledgements made at run time (chat, API), kept in the state
/// file. Bounded: at most `capacity` silences; expired ones are dropped a day after
/// their end; acknowledgements go when their key stops firing.
public struct SilenceBook: Sendable, Codable, Equatable {
    public var silences: [Silence]
    public var acknowledgements: [SignalKey: Acknowledgement]

    public static let capacity = 1_000
    /// How long an expired silence is still listed (`amtool silence query --expired`).
    public static let keptAfterEnd: TimeInterval = 24 * 3600

    public init(silences: [Silence] = [], acknowledgements: [SignalKey: Acknowledgement] = [:]) {
        self.silences = silences
        self.acknowledgements = acknowledgements
    }

    public var isEmpty: Bool { silences.isEmpty && acknowledgements.isEmpty }

    /// Adds a silence, or replaces the one with its id. A full book first lets go of
    /// expired silences, oldest end first; a book full of live ones refuses.
    public mutating func upsert(_ silence: Silence, now: Date) throws(SilenceError) {
        if let index = silences.firstIndex(where: { $0.id == silence.id }) {
            silences[index] = silence
            return
        }
        if silences.count >= Self.capacity {
            let expired = silences.filter { $0.state(at: now) == .expired }
                .sorted { ($0.endsAt ?? now) < ($1.endsAt ?? now) }
            guard let oldest = expired.first else {
                throw SilenceError("there are already \(Self.capacity) silences; expire some first")
            }
            silences.removeAll { $0.id == oldest.id }
        }
        silences.append(silence)
    }

    /// Ends a silence now. False when there is no such silence or it is already over.
    public mutating func expire(id: String, now: Date) -> Bool {
        guard let index = silences.firstIndex(where: { $0.id == id }),
            silences[index].state(at: now) != .expired
        else { return false }
        if silences[index].startsAt > now { silences[index].startsAt = now }
        silences[index].endsAt = now
        silences[index].updatedAt = now
        return true
    }

    /// Drops what is no longer worth keeping: silences ended more than a day ago and
    /// acknowledgements of keys that no longer fire.
    public func pruned(now: Date, firing: Set<SignalKey>) -> SilenceBook {
        SilenceBook(
            silences: silences.filter { silence in
                silence.endsAt.map { now.timeIntervalSince($0) < Self.keptAfterEnd } ?? true
            },
            acknowledgements: acknowledgements.filter { firing.contains($0.key) })
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // A state file edited by hand must not hold more than the bound.
        silences = Array((try container.decodeIfPresent([Silence].self, forKey: .silences) ?? []).suffix(Self.capacity))
        acknowledgements =
            try container.decodeIfPresent([SignalKey: Acknowledgement].self, forKey: .acknowledgements) ?? [:]
    }
}
