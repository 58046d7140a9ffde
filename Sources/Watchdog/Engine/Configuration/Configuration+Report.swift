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
        ConfigVariable.all.flatMap { variable in
            variable.familyPrefix == nil ? [setting(of: variable)] : members(of: variable)
        }
    }

    /// A family's set members, each secret redacted; the family itself when none is set.
    private func members(of family: ConfigVariable) -> [EffectiveSetting] {
        let names = environment.values.keys.filter { family.names($0) && !(environment.values[$0] ?? "").isEmpty }
        guard !names.isEmpty else { return [EffectiveSetting(name: family.name, value: "", origin: "default")] }
        return names.sorted().map { name in
            EffectiveSetting(
                name: name, value: family.isSecret ? "<redacted>" : environment.values[name] ?? "",
                origin: environment.origins[name]?.description ?? "environment")
        }
    }

    private func setting(of variable: ConfigVariable) -> EffectiveSetting {
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
