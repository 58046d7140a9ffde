/// The variables of host memory (SPEC §2.3).
extension ConfigVariable {
    static let memoryPercent = ConfigVariable(
        "WATCHDOG_MEM_PCT", .percent, default: "90",
        "host_memory fires when used memory (MemTotal - MemAvailable) reaches this percentage")
    static let procRoot = ConfigVariable(
        "WATCHDOG_PROC_ROOT", .text, default: "/proc",
        "where meminfo and process entries are read")

    /// In the order docs/configuration.md lists them.
    static let hostMemoryVariables: [ConfigVariable] = [.memoryPercent, .procRoot]
}
