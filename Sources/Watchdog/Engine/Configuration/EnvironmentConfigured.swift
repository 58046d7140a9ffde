/// A part of the watchdog configured by variables of its own: a source feature
/// (`SourceFeature`) or a channel (`ChannelFeature`). Its variables and the parsing of
/// its settings live in its folder; `Configuration` keeps what it read in a
/// `SettingsStore`, by part.
public protocol EnvironmentConfigured: Sendable {
    /// What the part read from the environment; how "off" looks is its own business.
    associatedtype Settings: Sendable

    /// Its variables, in the order docs/configuration.md lists them.
    static var variables: [ConfigVariable] { get }
    /// Reads the settings. Every problem is recorded in the reader, naming its variable;
    /// the value returned then does not matter, since the configuration is refused.
    static func read(_ reader: inout ConfigReader) -> Settings
}

/// The settings of several parts, by part: `configuration.features[EC2Feature.self]`.
/// Each part's folder gives its settings a named accessor on `Configuration`.
public struct SettingsStore: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    /// Reads the settings of every part in `parts`.
    static func read(_ parts: [any EnvironmentConfigured.Type], from reader: inout ConfigReader) -> SettingsStore {
        var store = SettingsStore()
        for part in parts {
            part.read(into: &store, from: &reader)
        }
        return store
    }

    public subscript<Part: EnvironmentConfigured>(_ part: Part.Type) -> Part.Settings {
        get {
            guard let value = values[ObjectIdentifier(part)] as? Part.Settings else {
                preconditionFailure("\(part) is not in its catalog")
            }
            return value
        }
        set { values[ObjectIdentifier(part)] = newValue }
    }
}

extension EnvironmentConfigured {
    static func read(into store: inout SettingsStore, from reader: inout ConfigReader) {
        store[Self.self] = read(&reader)
    }
}
