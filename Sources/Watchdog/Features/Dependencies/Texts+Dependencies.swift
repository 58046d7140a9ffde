/// What the watchdog says about dependencies (SPEC §10.3), in every language.
extension Texts {
    func dependencyDownTitle(_ name: String) -> String {
        pick(en: "Dependency \(name) is down", ru: "Зависимость \(name) недоступна")
    }

    func dependencyFailed(url: String, error: String, times: Int) -> String {
        pick(
            en: "\(url): \(error) (\(times == 1 ? "once" : "\(times) in a row"))",
            ru: "\(url): \(error) (\(times) раз подряд)")
    }

    func dependencyAnswered(url: String, latency: String) -> String {
        pick(en: "\(url) answered in \(latency)", ru: "\(url) ответил за \(latency)")
    }

    func dependencySlowTitle(_ name: String) -> String {
        pick(en: "Dependency \(name) is slow", ru: "Зависимость \(name) отвечает медленно")
    }

    func dependencySlow(url: String, latency: String, limit: String) -> String {
        pick(en: "\(url) answered in \(latency) (limit \(limit))", ru: "\(url) ответил за \(latency) (порог \(limit))")
    }

    func certificateTitle(_ name: String) -> String {
        pick(en: "Certificate of \(name) expires soon", ru: "Сертификат \(name) скоро истекает")
    }

    func certificateExpires(on date: String, in remaining: String) -> String {
        pick(en: "expires \(date) (in \(remaining))", ru: "истекает \(date) (через \(remaining))")
    }

    func certificateExpired(on date: String) -> String {
        pick(en: "expired \(date)", ru: "истёк \(date)")
    }

    static func milliseconds(_ value: Double) -> String {
        value < 10 ? "\((value * 10).rounded() / 10) ms" : "\(Int(exactly: value.rounded()) ?? Int.max) ms"
    }
}
