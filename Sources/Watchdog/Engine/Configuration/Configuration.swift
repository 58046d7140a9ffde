import Collectors
import FoundationEssentials
import Glibc
import Logging
import Notify
import OutboundHTTP

/// The watchdog's settings, parsed and validated (SPEC §2).
public struct Configuration: Sendable {
    // core
    public var interval: Duration
    public var collectTimeout: Duration
    public var httpTimeout: Duration
    /// `WATCHDOG_CA_FILE`, read: added to the system's authorities for outbound TLS.
    public var certificateAuthorities: CertificateAuthorities?
    /// nil: never repeat.
    public var cooldown: Duration?
    public var instance: String
    /// Where `instance` came from; only a default is replaced at start (`InstanceLabel`).
    public var instanceOrigin: InstanceOrigin
    /// nil: keep state in memory only.
    public var stateFile: String?
    /// nil: no HTTP endpoint.
    public var listen: ListenAddress?
    public var language: Language
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var collectorFailedAfter: Int
    public var digestAfter: Int
    /// `WATCHDOG_MUTE`, as the standing silences it makes.
    public var mute: [Silence]
    public var maintenance: [MaintenanceWindow]
    /// `WATCHDOG_ROUTE_<NAME>`: which channel takes which alerts, when (SPEC §4.3).
    public var routes: [ChannelRoute]
    /// `WATCHDOG_ESCALATE*`: who is told when nobody acknowledges (SPEC §4.3).
    public var escalation: EscalationPolicy
    /// `WATCHDOG_PUBLIC_URL`: where Ack links point (SPEC §4.3); nil: no links.
    public var publicURL: String?
    /// `WATCHDOG_INHIBIT`: the operator's own cause rules (SPEC §4.2).
    public var inhibit: [InhibitRule]
    /// `WATCHDOG_HISTORY_FILE`; nil: beside the state file (`historyPath`).
    public var historyFile: String?
    /// `WATCHDOG_HISTORY_KEEP`.
    public var historyKeep: Duration
    /// `WATCHDOG_REPORT` (SPEC §14); empty: no reports.
    public var reports: ReportSchedule
    /// `WATCHDOG_STATUS_PAGE`.
    public var statusPage: Bool
    /// nil: flapping is off.
    public var flap: FlapPolicy?
    /// Needed to change silences over HTTP; nil: the write routes answer 403.
    public var apiToken: Secret?
    public var heartbeatURL: Secret?

    /// Every channel's settings (`ChannelCatalog`); each channel's folder gives its own a
    /// named accessor (`configuration.telegram`).
    public var channels: SettingsStore

    /// Every source feature's settings (`FeatureCatalog`); each feature's folder gives
    /// its own a named accessor (`configuration.ec2`, `configuration.diskPaths`).
    public var features: SettingsStore

    /// The value of every secret variable that is set: what must never reach a chat, not
    /// even inside a container's log lines.
    public var secrets: [Secret] = []

    public enum ConsoleMode: String, Sendable {
        /// Only when no other channel is configured.
        case auto
        /// Always, besides any other channel.
        case always = "true"
        case never = "false"
    }

    public enum LogFormat: String, Sendable {
        case text
        case json
    }
}

/// A configuration together with what `check-config` shows and the start-up warnings.
public struct LoadedConfiguration: Sendable {
    public var configuration: Configuration
    public let environment: ConfigEnvironment
    /// Unknown `WATCHDOG_*` variables, with suggestions; logged at start.
    public let warnings: [String]
}

extension Configuration {
    /// Reads and validates every variable; throws one error listing every problem.
    public static func load(
        process: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String? = Configuration.workingDirectory(),
        hostName: String = Configuration.hostName()
    ) throws(ConfigurationError) -> LoadedConfiguration {
        let (environment, gatherIssues) = ConfigEnvironment.gather(
            process: process, workingDirectory: workingDirectory)
        var reader = ConfigReader(environment)

        let cooldown = reader.duration(.cooldown)
        let instance = reader.string(.instance)
        let stateFile = reader.text(.stateFile).trimmingSpaces()
        let historyFile = reader.text(.historyFile).trimmingSpaces()
        let configuration = Configuration(
            interval: reader.duration(.interval),
            collectTimeout: reader.duration(.collectTimeout),
            httpTimeout: reader.duration(.httpTimeout),
            certificateAuthorities: reader.certificateAuthorities(.caFile),
            cooldown: cooldown == .zero ? nil : cooldown,
            instance: instance.isEmpty ? hostName : String(instance.prefix(200)),
            instanceOrigin: instance.isEmpty ? .hostName : .configured,
            stateFile: stateFile.isEmpty ? nil : stateFile,
            listen: reader.listenAddress(.listen),
            language: Language(rawValue: reader.choice(.language)) ?? .en,
            logLevel: Logger.Level(rawValue: reader.choice(.logLevel)) ?? .info,
            logFormat: LogFormat(rawValue: reader.choice(.logFormat)) ?? .text,
            collectorFailedAfter: reader.count(.collectorFailedAfter),
            digestAfter: reader.count(.digestAfter),
            mute: reader.standingSilences(.mute),
            maintenance: reader.maintenance(.maintenance),
            routes: reader.routes(.route),
            escalation: reader.escalation(cooldown: cooldown == .zero ? nil : cooldown),
            publicURL: reader.optionalURL(.publicURL),
            inhibit: reader.inhibitRules(.inhibit),
            historyFile: historyFile.isEmpty ? nil : historyFile,
            historyKeep: reader.duration(.historyKeep),
            reports: reader.reportSchedule(.report),
            statusPage: reader.flag(.statusPage),
            flap: reader.flap(.flap),
            apiToken: reader.string(.apiToken).isEmpty ? nil : Secret(reader.string(.apiToken)),
            heartbeatURL: reader.optionalURL(.heartbeatURL).map(Secret.init),
            channels: SettingsStore.read(ChannelCatalog.all, from: &reader),
            features: SettingsStore.read(FeatureCatalog.all, from: &reader))

        var configured = configuration
        configured.secrets = ConfigVariable.all.filter(\.isSecret).compactMap { variable in
            environment.values[variable.name].flatMap { $0.isEmpty ? nil : Secret($0) }
        }
        let channelNames = ChannelCatalog.names(for: configured)
        let issues =
            gatherIssues + reader.issues + configured.routeIssues(channels: channelNames)
            + configured.escalationIssues(channels: channelNames) + configured.publicURLIssues()
        guard issues.isEmpty else { throw ConfigurationError(issues) }
        return LoadedConfiguration(
            configuration: configured, environment: environment,
            warnings: environment.unknownVariableWarnings())
    }

    /// The working directory, where a `.env` file is looked for (SPEC §2).
    public static func workingDirectory() -> String? {
        let path = FileManager.default.currentDirectoryPath
        return path.isEmpty ? nil : path
    }

    /// The host name from the kernel; no DNS lookup, so start-up never waits on a resolver.
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
