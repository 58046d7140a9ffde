/// One line of `watchdog check-config`.
public struct EffectiveSetting: Sendable, Equatable {
    public let name: String
    /// The value in force; `<redacted>` for a set secret.
    public let value: String
    /// `default`, `environment`, the `.env` path, or the secret file.
    public let origin: String
}

extension LoadedConfiguration {
    /// Every variable with the value in force and where it came from; secrets redacted.
    public func effectiveSettings() -> [EffectiveSetting] {
        ConfigVariable.all.map { variable in
            let set = environment.values[variable.name]
            var origin = set == nil ? "default" : environment.origins[variable.name]?.description ?? "environment"
            if variable == .instance, configuration.instanceOrigin != .configured {
                origin = "default: \(configuration.instanceOrigin)"
            }
            let value: String
            if variable.isSecret {
                value = (set ?? "").isEmpty ? "" : "<redacted>"
            } else if variable == .instance {
                value = configuration.instance
            } else {
                value = set ?? variable.defaultValue ?? ""
            }
            return EffectiveSetting(name: variable.name, value: value, origin: origin)
        }
    }
}
