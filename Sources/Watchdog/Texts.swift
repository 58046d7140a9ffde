import Notify

/// Every user-facing sentence the watchdog writes, in each language of SPEC §6.
///
/// Both languages sit side by side in each function so a new text cannot be added in
/// one language only.
public struct Texts: Sendable, Equatable {
    public let language: Language

    public init(_ language: Language) {
        self.language = language
    }

    private func pick(en: String, ru: String) -> String {
        switch language {
        case .en: en
        case .ru: ru
        }
    }

    // MARK: host

    func memoryTitle() -> String {
        pick(en: "Host memory is running out", ru: "На хосте заканчивается память")
    }

    func memoryDetail(usedPercent: Double, thresholdPercent: Double, available: UInt64, total: UInt64)
        -> String
    {
        let used = Self.percent(usedPercent)
        let limit = Self.percent(thresholdPercent)
        let free = ByteText.format(available)
        let all = ByteText.format(total)
        return pick(
            en: "memory \(used) used (threshold \(limit)), \(free) available of \(all)",
            ru: "занято \(used) памяти (порог \(limit)), доступно \(free) из \(all)")
    }

    func diskTitle(path: String) -> String {
        pick(en: "Disk \(path) is almost full", ru: "Диск \(path) почти заполнен")
    }

    func diskDetail(usedPercent: Double, thresholdPercent: Double, available: UInt64, total: UInt64)
        -> String
    {
        let used = Self.percent(usedPercent)
        let limit = Self.percent(thresholdPercent)
        let free = ByteText.format(available)
        let all = ByteText.format(total)
        return pick(
            en: "\(used) used (threshold \(limit)), \(free) free of \(all)",
            ru: "занято \(used) (порог \(limit)), свободно \(free) из \(all)")
    }

    // MARK: the watchdog itself

    func collectorFailedTitle(source: String) -> String {
        pick(en: "Check \(source) is failing", ru: "Проверка \(source) не работает")
    }

    func collectorFailedDetail(ticks: Int, error: String) -> String {
        pick(
            en: "failed \(ticks) ticks in a row: \(error)",
            ru: "ошибка \(ticks) раз подряд: \(error)")
    }

    func collectorRecoveredDetail() -> String {
        pick(en: "the check works again", ru: "проверка снова работает")
    }

    /// Resolve detail for a key whose source stopped reporting it (a removed container,
    /// a finished process).
    func vanishedDetail() -> String {
        pick(en: "no longer present", ru: "больше не наблюдается")
    }

    static func percent(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded))%" : "\(rounded)%"
    }
}
