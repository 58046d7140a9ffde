import Notify

/// The Alertmanager channel's configuration (SPEC §2.2, §5): one URL, or the members of
/// one cluster. Every alert goes to each member (as Prometheus sends: never balanced,
/// the cluster deduplicates by gossip), each through its own outbox, so a member that
/// is down loses nothing.
public enum AlertmanagerFeature: ChannelFeature {
    public static let variables = ConfigVariable.alertmanagerVariables

    public static func read(_ reader: inout ConfigReader) -> [String] {
        let urls = reader.urlList(.alertmanagerURL)
        if Set(urls).count != urls.count {
            reader.record(
                ConfigIssue(variable: ConfigVariable.alertmanagerURL.name, message: "names one member twice"))
        }
        return urls
    }

    /// `alertmanager` for one URL; `alertmanager-1` … `alertmanager-N` for a cluster's
    /// members, in the order given.
    static func names(count: Int) -> [String] {
        count == 1 ? ["alertmanager"] : (1...max(1, count)).map { "alertmanager-\($0)" }
    }

    public static func channel(_ settings: [String], context: ChannelContext) -> (any NotificationChannel)? {
        channels(settings, context: context).first
    }

    public static func channels(_ settings: [String], context: ChannelContext) -> [any NotificationChannel] {
        guard !settings.isEmpty else { return [] }
        return zip(names(count: settings.count), settings).map { name, url in
            AlertmanagerChannel(
                name: name, baseURL: url, interval: context.configuration.interval, post: context.post)
        }
    }
}

extension Configuration {
    /// The Alertmanager members, in the order `WATCHDOG_ALERTMANAGER_URL` lists them.
    public var alertmanagerURLs: [String] { channels[AlertmanagerFeature.self] }
}
