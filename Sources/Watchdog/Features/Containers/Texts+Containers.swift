/// What the watchdog says about containers (SPEC §10.2), in every language.
extension Texts {
    func containerDownTitle(_ name: String) -> String {
        pick(en: "Container \(name) is down", ru: "Контейнер \(name) не работает")
    }

    func containerExited(code: Int, oomKilled: Bool, at: String?) -> String {
        let oom = oomKilled ? pick(en: ", killed by the OOM killer", ru: ", убит OOM killer") : ""
        let when = at.map { pick(en: " at \($0)", ru: " в \($0)") } ?? ""
        return pick(en: "exited with code \(code)\(oom)\(when)", ru: "завершился с кодом \(code)\(oom)\(when)")
    }

    func containerCrashed(code: Int, at: String?) -> String {
        let when = at.map { pick(en: " at \($0)", ru: " в \($0)") } ?? ""
        return pick(en: "crashed with exit code \(code)\(when)", ru: "упал с кодом \(code)\(when)")
    }

    func containerOOMKilledAt(_ at: String?) -> String {
        let when = at.map { pick(en: " at \($0)", ru: " в \($0)") } ?? ""
        return pick(en: "OOM-killed\(when)", ru: "убит OOM killer\(when)")
    }

    func containerKilledBySignal(_ signal: Int, at: String?) -> String {
        let when = at.map { pick(en: " at \($0)", ru: " в \($0)") } ?? ""
        return pick(en: "killed by signal \(signal)\(when)", ru: "убит сигналом \(signal)\(when)")
    }

    func containerStoppedOnRequest(at: String?) -> String {
        let when = at.map { pick(en: " at \($0)", ru: " в \($0)") } ?? ""
        return pick(en: "stopped on request\(when)", ru: "остановлен по запросу\(when)")
    }

    func containerBeingReplaced() -> String {
        pick(en: "stopped on request; waiting for it to come back", ru: "остановлен по запросу; ждём возвращения")
    }

    func containerLastLogLines() -> String {
        pick(en: "Last log lines:", ru: "Последние строки журнала:")
    }

    func containerState(_ state: String) -> String {
        pick(en: "state \(state)", ru: "состояние \(state)")
    }

    func containerRestarting(for duration: String) -> String {
        pick(en: "restarting for \(duration)", ru: "перезапускается уже \(duration)")
    }

    func containerMissing() -> String {
        pick(en: "missing: no such container", ru: "отсутствует: контейнера нет")
    }

    func containerRunning() -> String {
        pick(en: "running", ru: "работает")
    }

    func containerUnhealthyTitle(_ name: String) -> String {
        pick(en: "Container \(name) is unhealthy", ru: "Контейнер \(name) нездоров")
    }

    func containerHealth(_ status: String, output: String?) -> String {
        let said = output.map { ": \($0)" } ?? ""
        return pick(en: "health \(status)\(said)", ru: "здоровье \(status)\(said)")
    }

    func containerStartingTooLong(for duration: String) -> String {
        pick(en: "health still starting after \(duration)", ru: "проверка здоровья всё ещё starting через \(duration)")
    }

    func containerRestartsTitle(_ name: String) -> String {
        pick(en: "Container \(name) keeps restarting", ru: "Контейнер \(name) постоянно перезапускается")
    }

    func containerRestarted(_ count: Int, within window: String) -> String {
        pick(en: "restarted \(count) times within \(window)", ru: "перезапусков за \(window): \(count)")
    }

    func containerOOMKilled() -> String {
        pick(en: "killed by the OOM killer", ru: "убит OOM killer")
    }

    func dockerUnreachableTitle() -> String {
        pick(en: "Docker is unreachable", ru: "Docker недоступен")
    }
}
