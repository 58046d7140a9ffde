import Collectors
import Foundation
import Logging
import Notify

/// The watchdog's settings, parsed and validated (SPEC §2).
public struct Configuration: Sendable {
    // core
    public var interval: Duration
    public var collectTimeout: Duration
    public var httpTimeout: Duration
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
    public var mute: [SignalKey]
    public var heartbeatURL: Secret?

    // channels
    public var telegram: TelegramSettings?
    public var slackWebhookURL: Secret?
    public var webhookURL: Secret?
    public var alertmanagerURL: String?
    public var console: ConsoleMode

    // host
    public var memoryPercent: Double
    public var procRoot: String
    public var diskPaths: [String]
    public var diskPercent: Double

    // orchestrator
    public var orchestratorURL: Secret?
    public var orchestrator: OrchestratorSource.Settings

    // containers
    public var dockerSocket: String
    public var containers: [String]
    /// nil: none; "auto": the watchdog's own project.
    public var composeProject: String?
    public var containerGrace: Duration
    public var restartLoop: ContainerSource.RestartLoop

    // dependencies
    public var dependencies: [DependencyTarget]
    public var dependencyDownAfter: Int
    /// nil: off.
    public var dependencySlow: Duration?
    public var certificateWarning: Duration

    // long-lived processes
    /// nil: the scan is off.
    public var processes: ProcessSettings?
    /// nil: never repeat.
    public var processCooldown: Duration?

    // EC2
    /// nil: no instance or filter named, the EC2 sources are off.
    public var ec2: EC2Settings?

    // heartbeats
    public var heartbeats: [HeartbeatWindow]
    public var pingToken: Secret?

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
        let diskPaths = reader.list(.diskPaths)
        if diskPaths.isEmpty {
            reader.record(.init(variable: ConfigVariable.diskPaths.name, message: "needs at least one path"))
        }
        for path in diskPaths where !path.hasPrefix("/") {
            reader.record(
                .init(
                    variable: ConfigVariable.diskPaths.name,
                    message: "\"\(path.prefix(200))\" is not an absolute path"))
        }
        let procRoot = reader.string(.procRoot)
        if procRoot.isEmpty {
            reader.record(.init(variable: ConfigVariable.procRoot.name, message: "must not be empty"))
        }

        let telegram = readTelegram(&reader)
        let listen = reader.listenAddress(.listen)
        let heartbeats = readHeartbeats(&reader)
        let pingToken = reader.string(.pingToken)
        let processCooldown = reader.duration(.processCooldownSeconds)
        checkHeartbeatEndpoint(
            &reader, heartbeats: heartbeats, listen: listen, hasToken: !pingToken.isEmpty)
        let configuration = Configuration(
            interval: reader.duration(.interval),
            collectTimeout: reader.duration(.collectTimeout),
            httpTimeout: reader.duration(.httpTimeout),
            cooldown: cooldown == .zero ? nil : cooldown,
            instance: instance.isEmpty ? hostName : String(instance.prefix(200)),
            instanceOrigin: instance.isEmpty ? .hostName : .configured,
            stateFile: stateFile.isEmpty ? nil : stateFile,
            listen: listen,
            language: Language(rawValue: reader.choice(.language)) ?? .en,
            logLevel: Logger.Level(rawValue: reader.choice(.logLevel)) ?? .info,
            logFormat: LogFormat(rawValue: reader.choice(.logFormat)) ?? .text,
            collectorFailedAfter: reader.count(.collectorFailedAfter),
            digestAfter: reader.count(.digestAfter),
            mute: reader.signalKeys(.mute),
            heartbeatURL: reader.optionalURL(.heartbeatURL).map(Secret.init),
            telegram: telegram,
            slackWebhookURL: reader.optionalURL(.slackWebhookURL).map(Secret.init),
            webhookURL: reader.optionalURL(.webhookURL).map(Secret.init),
            alertmanagerURL: reader.optionalURL(.alertmanagerURL),
            console: ConsoleMode(rawValue: reader.choice(.console)) ?? .auto,
            memoryPercent: reader.percent(.memoryPercent),
            procRoot: procRoot,
            diskPaths: diskPaths,
            diskPercent: reader.percent(.diskPercent),
            orchestratorURL: reader.optionalURL(.orchestratorURL).map(Secret.init),
            orchestrator: OrchestratorSource.Settings(
                downAfter: reader.count(.orchestratorDownAfter), staleAfter: reader.duration(.orchestratorStaleAfter),
                hungAfter: reader.duration(.agentHungAfter), backlog: reader.optionalCount(.queueBacklog),
                rules: readRules(&reader)),
            dockerSocket: reader.string(.dockerSocket),
            containers: reader.list(.containers),
            composeProject: reader.string(.composeProject).isEmpty ? nil : reader.string(.composeProject),
            containerGrace: reader.duration(.containerGrace),
            restartLoop: readRestartLoop(&reader),
            dependencies: readDependencies(&reader),
            dependencyDownAfter: reader.count(.dependencyDownAfter),
            dependencySlow: reader.optionalDuration(.dependencySlow),
            certificateWarning: reader.duration(.certificateWarning),
            processes: readProcesses(&reader),
            processCooldown: processCooldown == .zero ? nil : processCooldown,
            ec2: readEC2(&reader),
            heartbeats: heartbeats,
            pingToken: pingToken.isEmpty ? nil : Secret(pingToken))

        let issues = gatherIssues + reader.issues
        guard issues.isEmpty else { throw ConfigurationError(issues) }
        return LoadedConfiguration(
            configuration: configuration, environment: environment,
            warnings: environment.unknownVariableWarnings())
    }

    private static func readRules(_ reader: inout ConfigReader) -> [Rule] {
        do {
            return try Rule.parseList(reader.text(.rules))
        } catch {
            reader.record(.init(variable: ConfigVariable.rules.name, message: error.message))
            return []
        }
    }

    /// The scan's settings when `WATCHDOG_PROC_ENABLED`; patterns are checked either way.
    private static func readProcesses(_ reader: inout ConfigReader) -> ProcessSettings? {
        let enabled = reader.flag(.processEnabled)
        let texts = reader.list(.processPatterns)
        let minimumAge = reader.duration(.processAgeMinutes)
        let patterns: CommandPatterns
        do {
            patterns = try CommandPatterns(texts)
        } catch {
            reader.record(.init(variable: ConfigVariable.processPatterns.name, message: error.message))
            return nil
        }
        if enabled, texts.isEmpty {
            reader.record(
                .init(
                    variable: ConfigVariable.processPatterns.name,
                    message: "needs at least one pattern when WATCHDOG_PROC_ENABLED is true"))
        }
        return enabled ? ProcessSettings(patterns: patterns, minimumAge: minimumAge) : nil
    }

    /// The EC2 sources' settings when instances or filters are named. AWS's own
    /// variables (region, endpoints, credentials) are read as the AWS SDKs read them,
    /// from the same merged environment, so `.env` works for them too.
    private static func readEC2(_ reader: inout ConfigReader) -> EC2Settings? {
        let ids = reader.list(.ec2InstanceIDs)
        for id in ids where !EC2Filter.isInstanceID(id) {
            reader.record(
                .init(
                    variable: ConfigVariable.ec2InstanceIDs.name,
                    message: "\"\(id.prefix(100))\" is not an instance id (i- and 8 or 17 hex digits)"))
        }
        var filters: [EC2Filter] = []
        do {
            filters = try EC2Filter.parseList(reader.text(.ec2Filters))
        } catch {
            reader.record(.init(variable: ConfigVariable.ec2Filters.name, message: error.message))
        }
        let interval = reader.duration(.ec2Interval)
        let grace = reader.duration(.ec2TransientGrace)
        let cpuPercent = reader.optionalPercent(.ec2CPUPercent)
        let memoryPercent = reader.optionalPercent(.ec2MemoryPercent)
        let validIDs = ids.filter(EC2Filter.isInstanceID)
        guard !validIDs.isEmpty || !filters.isEmpty else { return nil }

        let environment = reader.environment.values
        var aws = environment.filter { $0.key.hasPrefix("AWS_") }
        aws["HOME"] = environment["HOME"]
        let regionVariable = ["AWS_REGION", "AWS_DEFAULT_REGION"].first {
            !(environment[$0]?.trimmingSpaces().isEmpty ?? true)
        }
        guard let regionVariable, let region = environment[regionVariable]?.trimmingSpaces() else {
            reader.record(
                .init(
                    variable: "AWS_REGION",
                    message:
                        "is required (or AWS_DEFAULT_REGION) when WATCHDOG_EC2_INSTANCE_IDS or WATCHDOG_EC2_FILTERS is set"
                ))
            return nil
        }
        guard region.count <= 50, region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else {
            reader.record(.init(variable: regionVariable, message: "\"\(region.prefix(60))\" is not an AWS region"))
            return nil
        }
        for name in ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL"] {
            guard let value = environment[name]?.trimmingSpaces(), !value.isEmpty else { continue }
            if ConfigValueParser.httpURL(value) == nil {
                reader.record(.init(variable: name, message: "is not an http:// or https:// URL"))
            }
        }
        return EC2Settings(
            instanceIDs: validIDs, filters: filters, region: region, interval: interval, transientGrace: grace,
            cpuPercent: cpuPercent, memoryPercent: memoryPercent, awsEnvironment: aws)
    }

    /// `name=window,...`, e.g. `nightly-backup=26h,agent=30s`.
    private static func readHeartbeats(_ reader: inout ConfigReader) -> [HeartbeatWindow] {
        var heartbeats: [HeartbeatWindow] = []
        for item in reader.list(.heartbeats) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            guard parts.count == 2 else {
                reader.record(
                    .init(
                        variable: ConfigVariable.heartbeats.name,
                        message: "\"\(item.prefix(100))\" is not name=window (e.g. nightly-backup=26h)"))
                continue
            }
            let (name, windowText) = (parts[0], parts[1])
            guard HeartbeatWindow.isValidName(name) else {
                reader.record(
                    .init(
                        variable: ConfigVariable.heartbeats.name,
                        message: "\"\(name.prefix(100))\" is not a name (letters, digits, -, _, .)"))
                continue
            }
            guard let window = ConfigValueParser.duration(windowText, bareUnitSeconds: 1), window >= .seconds(1)
            else {
                reader.record(
                    .init(
                        variable: ConfigVariable.heartbeats.name,
                        message: "the window of \(name), \"\(windowText.prefix(50))\", is not a duration of at least 1s"
                    ))
                continue
            }
            if heartbeats.contains(where: { $0.name == name }) {
                reader.record(
                    .init(variable: ConfigVariable.heartbeats.name, message: "heartbeat \(name) is listed twice"))
            }
            heartbeats.append(HeartbeatWindow(name: name, window: window))
        }
        return heartbeats
    }

    /// SPEC §7: pings arrive over the endpoint, so heartbeats need it; beyond loopback
    /// anyone who can reach the port could fake them, so a token is then required.
    private static func checkHeartbeatEndpoint(
        _ reader: inout ConfigReader, heartbeats: [HeartbeatWindow], listen: ListenAddress?, hasToken: Bool
    ) {
        guard !heartbeats.isEmpty else { return }
        guard let listen else {
            if reader.text(.listen).trimmingSpaces().lowercased() == "off" {
                reader.record(
                    .init(
                        variable: ConfigVariable.heartbeats.name,
                        message: "needs the HTTP endpoint, but WATCHDOG_LISTEN is off"))
            }
            return
        }
        if !listen.isLoopback, !hasToken {
            reader.record(
                .init(
                    variable: ConfigVariable.pingToken.name,
                    message: "is required: heartbeats are configured and WATCHDOG_LISTEN (\(listen)) is not loopback"))
        }
    }

    /// `name=url,...`; each problem is reported without the URL (it may hold a secret).
    private static func readDependencies(_ reader: inout ConfigReader) -> [DependencyTarget] {
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

    /// `COUNT` (within 10 minutes) or `COUNT/WINDOW`, e.g. `3/10m`.
    private static func readRestartLoop(_ reader: inout ConfigReader) -> ContainerSource.RestartLoop {
        let standard = ContainerSource.RestartLoop(count: 3, window: .seconds(600))
        let text = reader.string(.restartLoop)
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        guard (1...2).contains(parts.count), let count = ConfigValueParser.count(parts[0], in: 1...1_000) else {
            reader.record(.invalid(.restartLoop, value: text))
            return standard
        }
        guard parts.count == 2 else { return .init(count: count, window: standard.window) }
        guard let window = ConfigValueParser.duration(parts[1], bareUnitSeconds: 1), window > .zero else {
            reader.record(.invalid(.restartLoop, value: text))
            return standard
        }
        return .init(count: count, window: window)
    }

    /// Telegram needs both the token and the chat id; one without the other is an error
    /// naming the missing one.
    private static func readTelegram(_ reader: inout ConfigReader) -> TelegramSettings? {
        let token = reader.string(.telegramToken)
        let chatID = reader.string(.telegramChatID)
        let threadID = reader.optionalCount(.telegramThreadID)
        let silentResolved = reader.flag(.telegramSilentResolved)
        let apiURL = reader.optionalURL(.telegramAPIURL) ?? ConfigVariable.telegramAPIURL.defaultValue ?? ""
        if token.isEmpty, chatID.isEmpty { return nil }
        if token.isEmpty {
            reader.record(
                .init(
                    variable: ConfigVariable.telegramToken.name, message: "is required with WATCHDOG_TELEGRAM_CHAT_ID"))
            return nil
        }
        if chatID.isEmpty {
            reader.record(
                .init(
                    variable: ConfigVariable.telegramChatID.name,
                    message: "is required with WATCHDOG_TELEGRAM_BOT_TOKEN"))
            return nil
        }
        let validChat =
            Int64(chatID) != nil
            || (chatID.hasPrefix("@") && chatID.count > 1
                && chatID.dropFirst().allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        if !validChat {
            reader.record(.invalid(.telegramChatID, value: chatID))
            return nil
        }
        if token.contains(where: { $0.isWhitespace || $0 == "/" }) {
            reader.record(.invalid(.telegramToken, value: token))
            return nil
        }
        return TelegramSettings(
            token: token, chatID: chatID, threadID: threadID, silentResolved: silentResolved, apiBaseURL: apiURL)
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
