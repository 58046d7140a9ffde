import FoundationEssentials
import Notify

/// Why an alert that fires is not announced: a cause holds it (SPEC §4.2).
public struct Inhibition: Sendable, Codable, Equatable {
    /// The causes that hold it, or held it once released.
    public var causes: [SignalKey]
    /// Its causes are over. It is announced at its first own reading that still fires a
    /// tick's interval after that, or dropped when it resolves first.
    public var released: Bool
    /// When its causes were found over.
    public var releasedAt: Date?

    public init(causes: [SignalKey], released: Bool = false, releasedAt: Date? = nil) {
        self.causes = causes
        self.released = released
        self.releasedAt = releasedAt
    }
}

/// A problem that just ended: for one interval it still holds the effects that start
/// firing in its wake (a healthcheck that fails once more as the database comes back).
public struct ResolvedCause: Sendable, Equatable {
    public var at: Date
    public var severity: Severity
}

/// What a cause's messages say of its effects (SPEC §4.2): each effect named once, what
/// became of it, and whether a message has named it yet.
public struct CauseEffects: Sendable, Codable, Equatable {
    public enum Standing: String, Sendable, Codable {
        /// Held behind the cause.
        case held
        /// Announced before the cause fired: it stays announced, and the cause lists it.
        case alsoFiring
        /// Held, and recovered while the cause fired.
        case recovered
    }

    public struct Effect: Sendable, Codable, Equatable {
        public var key: SignalKey
        public var standing: Standing
        /// A message of the cause has named it.
        public var told: Bool
    }

    public var effects: [Effect] = []
    /// The most effects seen at once beyond those kept: counted, not named.
    public var uncounted: Int = 0
    /// How many of `uncounted` a message has counted.
    public var uncountedTold: Int = 0

    public init() {}

    /// At most this many effects are kept (and 20 of them named, SPEC §4.2).
    static let kept = 100
    static let named = 20

    /// Takes this tick's effects of the cause (each with how it stands), adding the new
    /// ones while there is room and counting the rest; true when anything was added.
    /// One pass with a set: a cause may hold hundreds, every tick.
    mutating func take(_ seen: [(key: SignalKey, standing: Standing)]) -> Bool {
        var known = Set(effects.map(\.key))
        var added = false
        var beyond = 0
        for (key, standing) in seen where !known.contains(key) {
            guard effects.count < Self.kept else {
                beyond += 1
                continue
            }
            effects.append(Effect(key: key, standing: standing, told: false))
            known.insert(key)
            added = true
        }
        if beyond > uncounted {
            uncounted = beyond
            added = true
        }
        return added
    }

    /// A held effect recovered while the cause fired (kept when there is room).
    mutating func recovered(_ key: SignalKey) {
        if let index = effects.firstIndex(where: { $0.key == key }) {
            // Announced is what it was when first seen; a held one's recovery is news.
            if effects[index].standing == .held { effects[index].standing = .recovered }
        } else if effects.count < Self.kept {
            effects.append(Effect(key: key, standing: .recovered, told: false))
        }
    }

    var untold: [Effect] { effects.filter { !$0.told } }
    /// Whether a message has something to add: an effect not named yet, or more counted.
    var hasNews: Bool { effects.contains { !$0.told } || uncounted > uncountedTold }

    mutating func markTold() {
        for index in effects.indices { effects[index].told = true }
        uncountedTold = uncounted
    }
}

extension Texts {
    // MARK: causes (SPEC §4.2)

    /// An effect as a cause's message names it: `api (container down)`.
    func effectName(_ key: SignalKey) -> String {
        let family = key.family.rawValue.replacing("_", with: " ")
        return key.entity.map { "\($0) (\(family))" } ?? family
    }

    /// Names at most `CauseEffects.named` keys and counts the rest.
    func effectList(_ keys: [SignalKey], more: Int = 0) -> String {
        let shown = keys.prefix(CauseEffects.named).map(effectName)
        let rest = keys.count - shown.count + more
        guard rest > 0 else { return shown.joined(separator: ", ") }
        guard !shown.isEmpty else { return pick(en: "\(rest) more", ru: "ещё \(rest)") }
        return shown.joined(separator: ", ") + pick(en: " and \(rest) more", ru: " и ещё \(rest)")
    }

    func alsoAffected(_ list: String) -> String {
        pick(en: "also affected: \(list)", ru: "также затронуты: \(list)")
    }

    func alsoFiring(_ list: String) -> String {
        pick(en: "also firing (seen first): \(list)", ru: "также срабатывают (замечены раньше): \(list)")
    }

    func recoveredWithIt(_ list: String) -> String {
        pick(en: "recovered with it: \(list)", ru: "восстановились вместе с ним: \(list)")
    }

    func notYetRecovered(_ list: String) -> String {
        pick(
            en: "not yet recovered: \(list) (announced if still firing at the next check)",
            ru: "ещё не восстановились: \(list) (о них будет сообщено, если проблема останется при следующей проверке)")
    }

    func heldBehind(_ causes: [SignalKey], since: Date) -> String {
        let list = causes.map(effectName).joined(separator: ", ")
        return pick(
            en: "firing since \(ConsoleRenderer.timestamp(since)); held behind \(list) until it recovered",
            ru: "срабатывает с \(ConsoleRenderer.timestamp(since)); было придержано из-за \(list) до его восстановления"
        )
    }
}
