/// The variables of the Alertmanager channel (SPEC §2.2).
extension ConfigVariable {
    static let alertmanagerURL = ConfigVariable(
        "WATCHDOG_ALERTMANAGER_URL", .urlList, default: "",
        "Alertmanager to push alerts to (POST /api/v2/alerts), e.g. http://alertmanager:9093; several, comma-separated, are the members of one cluster, each sent every alert"
    )

    /// In the order docs/configuration.md lists them.
    static let alertmanagerVariables: [ConfigVariable] = [.alertmanagerURL]
}
