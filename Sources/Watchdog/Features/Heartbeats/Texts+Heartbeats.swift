/// What the watchdog says about push heartbeats (SPEC §10.6), in every language.
extension Texts {
    func heartbeatMissedTitle(_ name: String) -> String {
        pick(en: "Heartbeat \(name) missed", ru: "Нет сигнала \(name)")
    }

    func heartbeatLastPing(ago: String, window: String) -> String {
        pick(
            en: "last ping \(ago) ago (window \(window))",
            ru: "последний сигнал \(ago) назад (окно \(window))")
    }

    func heartbeatNeverPinged(since: String, window: String) -> String {
        pick(
            en: "no ping since the watchdog started watching \(since) ago (window \(window))",
            ru: "ни одного сигнала с начала наблюдения \(since) назад (окно \(window))")
    }
}
