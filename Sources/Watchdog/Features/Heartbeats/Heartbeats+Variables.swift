/// The variables of push heartbeats (SPEC §2.3, §7, §10.6).
extension ConfigVariable {
    static let heartbeats = ConfigVariable(
        "WATCHDOG_HEARTBEATS", .text, default: "",
        "push heartbeats: name=window,... e.g. nightly-backup=26h; jobs ping /ping/<name> within each window")
    static let pingToken = ConfigVariable(
        "WATCHDOG_PING_TOKEN", .text, default: "", secret: true,
        "token /ping needs (Authorization: Bearer or ?token=); required when WATCHDOG_LISTEN is not loopback")

    /// In the order docs/configuration.md lists them.
    static let heartbeatsVariables: [ConfigVariable] = [.heartbeats, .pingToken]
}
