/// What the watchdog says about disks (SPEC §3 disk_full), in every language.
extension Texts {
    func diskTitle(path: String) -> String {
        pick(en: "Disk \(path) is almost full", ru: "Диск \(path) почти заполнен")
    }

    func diskDetail(_ usage: UsageFigures) -> String {
        pick(
            en: "\(usage.used) used (threshold \(usage.threshold)), \(usage.free) free of \(usage.total)",
            ru: "занято \(usage.used) (порог \(usage.threshold)), свободно \(usage.free) из \(usage.total)")
    }
}
