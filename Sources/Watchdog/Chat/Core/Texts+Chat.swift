import FoundationEssentials
import Notify

/// The chat's answers (SPEC §13). Arguments are Telegram HTML already: outside text is
/// escaped by the caller, so these may add tags of their own.
extension Texts {
    func chatNotAllowed() -> String {
        pick(en: "⛔ not allowed", ru: "⛔ нет прав")
    }

    func chatAllClear(instance: String) -> String {
        pick(en: "✅ all clear on \(instance): nothing fires", ru: "✅ на \(instance) всё в порядке: ничего не горит")
    }

    func chatFiringHeader(count: Int, instance: String) -> String {
        pick(en: "🔴 <b>\(count) firing</b> on \(instance)", ru: "🔴 <b>горит: \(count)</b> на \(instance)")
    }

    func chatSince(_ when: String) -> String { pick(en: "since \(when)", ru: "с \(when)") }
    func chatSilencedBy(_ ids: String) -> String { pick(en: "🔕 silenced by \(ids)", ru: "🔕 тишина \(ids)") }
    func chatAcknowledgedBy(_ who: String) -> String { pick(en: "👍 acked by \(who)", ru: "👍 принято: \(who)") }
    func chatFlapping() -> String { pick(en: "🟠 flapping", ru: "🟠 мигает") }

    func chatSilenceMade(id: String, until: String, by: String) -> String {
        pick(
            en: "🔕 silence <code>\(id)</code> by \(by) until \(until)",
            ru: "🔕 тишина <code>\(id)</code> от \(by) до \(until)")
    }

    func chatMatchesNow(_ keys: String) -> String {
        pick(en: "matches now: \(keys)", ru: "сейчас под ней: \(keys)")
    }

    func chatMatchesNothing() -> String {
        pick(en: "matches nothing firing now", ru: "сейчас под ней ничего не горит")
    }

    func chatSilenceRefused(_ reason: String) -> String {
        pick(en: "⚠️ no silence made: \(reason)", ru: "⚠️ тишина не создана: \(reason)")
    }

    func chatNoSilences() -> String {
        pick(en: "🔔 no silences in force", ru: "🔔 тишины нет")
    }

    func chatSilencesHeader(count: Int) -> String {
        pick(en: "🔕 <b>\(count) silences in force</b>", ru: "🔕 <b>действует тишин: \(count)</b>")
    }

    func chatUntil(_ when: String) -> String { pick(en: "until \(when)", ru: "до \(when)") }
    func chatStanding() -> String { pick(en: "standing", ru: "постоянная") }

    func chatUnsilenced(id: String) -> String {
        pick(en: "🔔 silence <code>\(id)</code> lifted", ru: "🔔 тишина <code>\(id)</code> снята")
    }

    func chatNoSuchSilence(id: String, prefix: Character = "/") -> String {
        pick(
            en: "⚠️ no silence <code>\(id)</code> (\(prefix)silences lists them)",
            ru: "⚠️ нет тишины <code>\(id)</code> (список: \(prefix)silences)")
    }

    func chatConfiguredSilence(id: String) -> String {
        pick(
            en:
                "⚠️ <code>\(id)</code> comes from the configuration (WATCHDOG_MUTE, WATCHDOG_MAINTENANCE) and cannot be lifted from the chat",
            ru: "⚠️ <code>\(id)</code> задана в конфигурации (WATCHDOG_MUTE, WATCHDOG_MAINTENANCE), из чата её не снять")
    }

    func chatAcknowledged(key: String, by: String) -> String {
        pick(
            en: "👍 <code>\(key)</code> acknowledged by \(by): no repeats until it resolves",
            ru: "👍 <code>\(key)</code> принято (\(by)): без повторов до решения")
    }

    func chatNotFiring(key: String) -> String {
        pick(en: "⚠️ <code>\(key)</code> is not firing", ru: "⚠️ <code>\(key)</code> не горит")
    }

    func chatInvalid(_ reason: String) -> String { "⚠️ \(reason)" }

    /// The command list, each command written with `prefix` (`/` or `!`).
    func chatHelp(prefix: Character = "/") -> [String] {
        let p = String(prefix)
        return [
            pick(en: "<b>watchdog commands</b>", ru: "<b>команды watchdog</b>"),
            pick(en: "\(p)status: what fires now", ru: "\(p)status: что горит сейчас"),
            pick(
                en: "\(p)silence MATCHER DURATION [REASON]: silence a key, a family or family:glob* for up to 30d",
                ru: "\(p)silence MATCHER DURATION [REASON]: тишина для ключа, семейства или family:glob* до 30d"),
            pick(en: "\(p)silences: the silences in force", ru: "\(p)silences: действующие тишины"),
            pick(en: "\(p)unsilence ID: lift a silence", ru: "\(p)unsilence ID: снять тишину"),
            pick(
                en: "\(p)ack KEY: no more repeats of a firing key", ru: "\(p)ack KEY: без повторов для горящего ключа"),
            pick(
                en: "\(p)history [DURATION]: the incidents of the last day, or of DURATION (e.g. 7d)",
                ru: "\(p)history [DURATION]: инциденты за сутки или за DURATION (например 7d)"),
            pick(en: "\(p)help: this list", ru: "\(p)help: этот список"),
        ]
    }

    // MARK: buttons

    func buttonAcknowledgedToast() -> String { pick(en: "👍 acknowledged", ru: "👍 принято") }
    func buttonSilencedToast(_ duration: String) -> String {
        pick(en: "🔕 silenced for \(duration)", ru: "🔕 тишина на \(duration)")
    }
    func buttonNotFiringToast() -> String { pick(en: "not firing any more", ru: "уже не горит") }
    func buttonTooOldToast() -> String { pick(en: "this button is too old", ru: "кнопка устарела") }
    func buttonFailedToast(_ reason: String) -> String { pick(en: "failed: \(reason)", ru: "не вышло: \(reason)") }

    func acknowledgedNote(by: String) -> String {
        pick(en: "👍 acknowledged by \(by)", ru: "👍 принято: \(by)")
    }

    func silencedNote(duration: String, by: String) -> String {
        pick(en: "🔕 silenced for \(duration) by \(by)", ru: "🔕 тишина на \(duration): \(by)")
    }
}
