/// The variables of dependencies (SPEC §2.3, §10.3).
extension ConfigVariable {
    static let dependencies = ConfigVariable(
        "WATCHDOG_DEPS", .text, default: "", secret: true,
        "dependencies to probe: name=url,... with http://, https:// (#status=NNN to expect a status) or tcp://host:port"
    )
    static let dependencyDownAfter = ConfigVariable(
        "WATCHDOG_DEP_DOWN_AFTER", .count(1...1_000), default: "2",
        "failed probes in a row before dependency_down fires")
    static let dependencySlow = ConfigVariable(
        "WATCHDOG_DEP_SLOW", .duration(minimum: .milliseconds(1)), default: "",
        "dependency_slow fires when a probe takes longer than this; empty = off")
    static let certificateWarning = ConfigVariable(
        "WATCHDOG_CERT_WARN", .duration(minimum: .zero), default: "14d",
        "certificate_expiry fires when an https dependency's certificate expires within this")

    /// In the order docs/configuration.md lists them.
    static let dependenciesVariables: [ConfigVariable] = [
        .dependencies, .dependencyDownAfter, .dependencySlow, .certificateWarning,
    ]
}
