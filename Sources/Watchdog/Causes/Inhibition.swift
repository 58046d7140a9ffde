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
    /// Effects beyond those kept: counted, not named.
    public var uncounted: Int = 0

    public init() {}

    /// At most this many effects are kept (and 20 of them named, SPEC §4.2).
    static let kept = 100
    static let named = 20

    /// Notes an effect; true when it is new.
    @discardableResult
    mutating func note(_ key: SignalKey, _ standing: Standing) -> Bool {
        if let index = effects.firstIndex(where: { $0.key == key }) {
            // Held and announced are what they were when first seen; recovery is news.
            if standing == .recovered, effects[index].standing == .held { effects[index].standing = .recovered }
            return false
        }
        guard effects.count < Self.kept else {
            uncounted += 1
            return true
        }
        effects.append(Effect(key: key, standing: standing, told: false))
        return true
    }

    var untold: [Effect] { effects.filter { !$0.told } }

    mutating func markTold() {
        for index in effects.indices { effects[index].told = true }
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
