/// The variables of disks (SPEC §2.3).
extension ConfigVariable {
    static let diskPaths = ConfigVariable(
        "WATCHDOG_DISK_PATHS", .list, default: "/", "filesystems checked by disk_full")
    static let diskPercent = ConfigVariable(
        "WATCHDOG_DISK_PCT", .percent, default: "90",
        "disk_full fires when a filesystem's used share reaches this percentage")

    /// In the order docs/configuration.md lists them.
    static let diskVariables: [ConfigVariable] = [.diskPaths, .diskPercent]
}
