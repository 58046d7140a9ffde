import FoundationEssentials
import OutboundHTTP

/// Reads typed values out of a `ConfigEnvironment`, collecting every problem instead of
/// stopping at the first, so an operator fixes them all in one go.
///
/// A getter always returns a value: the parsed one, or the default when the variable
/// is unset or invalid (then an issue is recorded and the configuration is rejected).
/// Public as the type a feature's `read` takes; what it reads with stays internal.
public struct ConfigReader: Sendable {
    let environment: ConfigEnvironment
    private(set) var issues: [ConfigIssue] = []

    init(_ environment: ConfigEnvironment) {
        self.environment = environment
    }

    /// The text in force: the set value, else the default. Blank counts as set only for
    /// variables whose default is blank (an explicitly empty `WATCHDOG_STATE_FILE`
    /// means "in memory only").
    func text(_ variable: ConfigVariable) -> String {
        if let value = environment.values[variable.name] {
            if !value.trimmingSpaces().isEmpty || variable.kind == .text { return value }
        }
        return variable.defaultValue ?? ""
    }

    func isSet(_ variable: ConfigVariable) -> Bool {
        environment.values[variable.name] != nil
    }

    private mutating func parsed<T>(
        _ variable: ConfigVariable, fallback: T, _ parse: (String) -> T?
    ) -> T {
        let value = text(variable)
        if let result = parse(value) { return result }
        issues.append(.invalid(variable, value: value))
        return parse(variable.defaultValue ?? "") ?? fallback
    }

    mutating func duration(_ variable: ConfigVariable) -> Duration {
        guard case .duration(let minimum) = variable.kind else { preconditionFailure(variable.name) }
        return parsed(variable, fallback: minimum) { text in
            ConfigValueParser.duration(text, bareUnitSeconds: variable.bareNumberUnitSeconds)
                .flatMap { $0 >= minimum ? $0 : nil }
        }
    }

    /// nil when unset or empty.
    mutating func optionalDuration(_ variable: ConfigVariable) -> Duration? {
        if text(variable).trimmingSpaces().isEmpty { return nil }
        return duration(variable)
    }

    mutating func count(_ variable: ConfigVariable) -> Int {
        guard case .count(let range) = variable.kind else { preconditionFailure(variable.name) }
        return parsed(variable, fallback: range.lowerBound) {
            ConfigValueParser.count($0, in: range)
        }
    }

    /// nil when unset or empty.
    mutating func optionalCount(_ variable: ConfigVariable) -> Int? {
        guard case .count(let range) = variable.kind else { preconditionFailure(variable.name) }
        if text(variable).trimmingSpaces().isEmpty { return nil }
        return parsed(variable, fallback: nil) { ConfigValueParser.count($0, in: range) }
    }

    mutating func percent(_ variable: ConfigVariable) -> Double {
        parsed(variable, fallback: 100, ConfigValueParser.percent)
    }

    /// nil when unset or empty.
    mutating func optionalPercent(_ variable: ConfigVariable) -> Double? {
        if text(variable).trimmingSpaces().isEmpty { return nil }
        return parsed(variable, fallback: nil) { ConfigValueParser.percent($0) }
    }

    mutating func flag(_ variable: ConfigVariable) -> Bool {
        parsed(variable, fallback: false, ConfigValueParser.flag)
    }

    mutating func choice(_ variable: ConfigVariable) -> String {
        guard case .choice(let options) = variable.kind else { preconditionFailure(variable.name) }
        return parsed(variable, fallback: options[0]) { text in
            let value = text.trimmingSpaces().lowercased()
            return options.contains(value) ? value : nil
        }
    }

    func list(_ variable: ConfigVariable) -> [String] {
        ConfigValueParser.list(text(variable))
    }

    /// Text, with leading and trailing blanks removed; empty when unset without default.
    func string(_ variable: ConfigVariable) -> String {
        text(variable).trimmingSpaces()
    }

    /// The certificates of the PEM file the variable names; nil when it is empty.
    mutating func certificateAuthorities(_ variable: ConfigVariable) -> CertificateAuthorities? {
        let path = string(variable)
        if path.isEmpty { return nil }
        do {
            return try CertificateAuthorities(pemFile: path)
        } catch {
            issues.append(ConfigIssue(variable: variable.name, message: error.reason))
            return nil
        }
    }

    /// nil for `off`.
    mutating func listenAddress(_ variable: ConfigVariable) -> ListenAddress? {
        let value = text(variable)
        if value.trimmingSpaces().lowercased() == "off" { return nil }
        return parsed(variable, fallback: nil) { ConfigValueParser.listenAddress($0) }
    }

    /// nil when empty.
    mutating func optionalURL(_ variable: ConfigVariable) -> String? {
        let value = text(variable).trimmingSpaces()
        if value.isEmpty { return nil }
        return parsed(variable, fallback: nil) { ConfigValueParser.httpURL($0) }
    }

    /// Every URL of a comma-separated list; one that is not http(s) makes the whole
    /// value invalid (recorded once, the value shown unless secret).
    mutating func urlList(_ variable: ConfigVariable) -> [String] {
        let items = list(variable)
        let urls = items.compactMap { ConfigValueParser.httpURL($0) }
        guard urls.count == items.count else {
            issues.append(.invalid(variable, value: text(variable)))
            return []
        }
        return urls
    }

    mutating func signalKeys(_ variable: ConfigVariable) -> [SignalKey] {
        var keys: [SignalKey] = []
        for item in list(variable) {
            if let key = SignalKey(parsing: item) {
                keys.append(key)
            } else {
                let family = String(item.prefix { $0 != ":" })
                let names = SignalFamily.allCases.map(\.rawValue)
                let hint = NameSuggestion.closest(to: family, in: names).map { "; did you mean \($0)?" }
                issues.append(
                    ConfigIssue(
                        variable: variable.name,
                        message: "unknown signal family \"\(family.prefix(80))\"\(hint ?? "")"))
            }
        }
        return keys
    }

    /// The keys of `WATCHDOG_MUTE` as standing silences; one the silence bounds refuse
    /// is an issue naming the variable, with the reason any silence would get.
    mutating func standingSilences(_ variable: ConfigVariable) -> [Silence] {
        var silences: [Silence] = []
        for key in signalKeys(variable) {
            do {
                silences.append(try ConfiguredSilences.standing(key, number: silences.count + 1))
            } catch {
                issues.append(
                    ConfigIssue(variable: variable.name, message: "\(key.description.prefix(80)): \(error.reason)"))
            }
        }
        return silences
    }

    /// `N/window` or `off`.
    mutating func flap(_ variable: ConfigVariable) -> FlapPolicy? {
        parsed(variable, fallback: nil) { text in
            let (policy, valid) = FlapPolicy.parse(text)
            return valid ? .some(policy) : nil
        }
    }

    /// Every window of `WATCHDOG_MAINTENANCE`; each bad entry is an issue of its own.
    mutating func maintenance(_ variable: ConfigVariable) -> [MaintenanceWindow] {
        let directory = ZoneRules.directory(environment: environment.values)
        let (windows, problems) = MaintenanceParser.parse(text(variable), zoneDirectory: directory)
        for problem in problems { issues.append(ConfigIssue(variable: variable.name, message: problem)) }
        return windows
    }

    /// The set members of a family (`WATCHDOG_NOTIFY_<NAME>`), sorted by variable name:
    /// the variable and the member's name as written after the prefix. A variable that
    /// starts with the prefix but is no valid member (`WATCHDOG_NOTIFY_` alone, a `-` in
    /// the name) is recorded as an issue naming it.
    mutating func members(of family: ConfigVariable) -> [(variable: String, member: String, value: String)] {
        guard let prefix = family.familyPrefix else { return [] }
        var members: [(variable: String, member: String, value: String)] = []
        for (name, value) in environment.values.sorted(by: { $0.key < $1.key }) where name.hasPrefix(prefix) {
            if family.names(name) {
                guard !value.trimmingSpaces().isEmpty else { continue }
                members.append((name, String(name.dropFirst(prefix.count)), value.trimmingSpaces()))
            } else if !name.hasSuffix("_FILE") {
                issues.append(
                    ConfigIssue(
                        variable: String(name.prefix(100)),
                        message: "the name after \(prefix) must be letters, digits and _ (at most 64)"))
            }
        }
        return members
    }

    mutating func record(_ issue: ConfigIssue) {
        issues.append(issue)
    }
}
