/// What the watchdog says about host memory (SPEC §3 host_memory), in every language.
extension Texts {
    func memoryTitle() -> String {
        pick(en: "Host memory is running out", ru: "На хосте заканчивается память")
    }

    func memoryDetail(_ usage: UsageFigures) -> String {
        pick(
            en: "memory \(usage.used) used (threshold \(usage.threshold)), \(usage.free) available of \(usage.total)",
            ru: "занято \(usage.used) памяти (порог \(usage.threshold)), доступно \(usage.free) из \(usage.total)")
    }
}
