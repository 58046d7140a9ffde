import Collectors

/// Dependency probes (SPEC §10.3): on when `WATCHDOG_DEPS` names any.
public enum DependenciesFeature: SourceFeature {
    public struct Settings: Sendable {
        public var targets: [DependencyTarget]
        public var downAfter: Int
        /// nil: off.
        public var slowAfter: Duration?
        public var certificateWarning: Duration
    }

    public static let variables = ConfigVariable.dependenciesVariables
    public static let families: [SignalFamily] = [.dependencyDown, .dependencySlow, .certificateExpiry]

    public static func read(_ reader: inout ConfigReader) -> Settings {
        Settings(
            targets: readTargets(&reader), downAfter: reader.count(.dependencyDownAfter),
            slowAfter: reader.optionalDuration(.dependencySlow),
            certificateWarning: reader.duration(.certificateWarning))
    }

    /// `name=url,...`; each problem is reported without the URL (it may hold a secret).
    static func readTargets(_ reader: inout ConfigReader) -> [DependencyTarget] {
        var targets: [DependencyTarget] = []
        for item in reader.list(.dependencies) {
            guard let equals = item.firstIndex(of: "=") else {
                reader.record(.init(variable: ConfigVariable.dependencies.name, message: "an entry is not name=url"))
                continue
            }
            let name = item[..<equals].trimmingSpaces()
            do {
                let target = try DependencyTarget.parse(
                    name: name, url: item[item.index(after: equals)...].trimmingSpaces())
                if targets.contains(where: { $0.name == target.name }) {
                    reader.record(
                        .init(variable: ConfigVariable.dependencies.name, message: "dependency \(name) is listed twice")
                    )
                }
                targets.append(target)
            } catch {
                reader.record(.init(variable: ConfigVariable.dependencies.name, message: error.message))
            }
        }
        return targets
    }

    public static func sources(_ settings: Settings, context: SourceContext) -> [any Source] {
        guard !settings.targets.isEmpty else { return [] }
        return [
            DependencySource(
                targets: settings.targets, timeout: context.configuration.httpTimeout, downAfter: settings.downAfter,
                slowAfter: settings.slowAfter, certificateWarning: settings.certificateWarning, texts: context.texts)
        ]
    }
}

extension SignalFamily {
    public static let dependencyDown = SignalFamily(
        "dependency_down", entity: "name", activeWhen: "probe failed `DEP_DOWN_AFTER` times in a row",
        severity: "critical")
    public static let dependencySlow = SignalFamily(
        "dependency_slow", entity: "name", activeWhen: "latency above `DEP_SLOW`", severity: "warning")
    public static let certificateExpiry = SignalFamily(
        "certificate_expiry", entity: "name",
        activeWhen: "an https dependency's certificate expires within `CERT_WARN`", severity: "warning")
}

extension Configuration {
    public var dependencies: [DependencyTarget] { features[DependenciesFeature.self].targets }
    public var dependencyDownAfter: Int { features[DependenciesFeature.self].downAfter }
    public var dependencySlow: Duration? { features[DependenciesFeature.self].slowAfter }
    public var certificateWarning: Duration { features[DependenciesFeature.self].certificateWarning }
}
