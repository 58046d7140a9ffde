/// Push heartbeats (SPEC §2.3, §10.6): jobs ping `/ping/<name>` on the HTTP endpoint
/// within their windows. On when `WATCHDOG_HEARTBEATS` names any.
public enum HeartbeatsFeature: SourceFeature {
    public struct Settings: Sendable {
        public var windows: [HeartbeatWindow]
        public var pingToken: Secret?
    }

    public static let variables = ConfigVariable.heartbeatsVariables
    public static let families: [SignalFamily] = [.heartbeatMissed]

    public static func read(_ reader: inout ConfigReader) -> Settings {
        let windows = readWindows(&reader)
        let pingToken = reader.string(.pingToken)
        // The core reads WATCHDOG_LISTEN and reports its problems; a copy of the reader
        // looks at it here without reporting them twice.
        var core = reader
        checkEndpoint(&reader, heartbeats: windows, listen: core.listenAddress(.listen), hasToken: !pingToken.isEmpty)
        return Settings(windows: windows, pingToken: pingToken.isEmpty ? nil : Secret(pingToken))
    }

    /// `name=window,...`, e.g. `nightly-backup=26h,agent=30s`.
    static func readWindows(_ reader: inout ConfigReader) -> [HeartbeatWindow] {
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
    static func checkEndpoint(
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

    public static func sources(_ settings: Settings, context: SourceContext) -> [any Source] {
        guard !settings.windows.isEmpty else { return [] }
        return [
            HeartbeatSource(
                windows: settings.windows,
                board: context.heartbeatBoard ?? HeartbeatBoard(names: settings.windows.map(\.name), monotonicNow: nil),
                texts: context.texts)
        ]
    }
}

extension SignalFamily {
    public static let heartbeatMissed = SignalFamily(
        "heartbeat_missed", entity: "name", activeWhen: "no ping within its window", severity: "critical")
}

extension Configuration {
    public var heartbeats: [HeartbeatWindow] { features[HeartbeatsFeature.self].windows }
    public var pingToken: Secret? { features[HeartbeatsFeature.self].pingToken }
}
