import Notify

/// One kind of channel given as a URL (SPEC §5.1): the schemes it takes, how it reads
/// its URL, and the channel it builds. Each kind lives in its own folder
/// (`Channels/<Kind>`) and is listed once, in `URLChannelCatalog.all`.
public protocol URLChannelKind: Sendable {
    /// What the kind reads from its URL: everything the channel needs, secrets included.
    associatedtype Settings: Sendable

    /// The schemes it takes, lower-case (`discord`; `ntfy`, `ntfys`).
    static var schemes: [String] { get }
    /// Its name in `check-config` and logs: `discord`, `ntfy`, `e-mail`.
    static var kind: String { get }
    /// Reads the URL; every error names the part that is wrong, never its value.
    static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError) -> Settings
    /// Where it sends, safe to show: a host, never a token.
    static func host(of settings: Settings) -> String
    /// The channel, named `name`.
    static func channel(named name: String, settings: Settings, context: ChannelContext) -> any NotificationChannel
    /// Whether it takes a URL of another scheme as its own: the service's own webhook URL
    /// (`https://discord.com/api/webhooks/…`), as Apprise does. Then `settings(from:)`
    /// reads that URL.
    static func takesNative(_ url: AppriseURL) -> Bool
    /// The URL as the generic split can read it, for a scheme whose URLs it could not
    /// (Telegram's bot token holds a `:`): as Apprise's plugin rewrites it first.
    static func normalized(_ text: String) -> String
}

extension URLChannelKind {
    public static func takesNative(_ url: AppriseURL) -> Bool { false }
    public static func normalized(_ text: String) -> String { text }
}

/// What a URL is read with besides itself: the API bases the environment sets for
/// services at a fixed host (`WATCHDOG_DISCORD_API_URL`, ...).
public struct URLChannelContext: Sendable {
    public var apiBaseURLs: [String: String]

    public init(apiBaseURLs: [String: String] = [:]) {
        self.apiBaseURLs = apiBaseURLs
    }

    /// The API base for `service`, or `fallback`.
    public func apiBaseURL(_ service: String, fallback: String) -> String {
        apiBaseURLs[service] ?? fallback
    }
}

/// A channel read from `WATCHDOG_NOTIFY_<NAME>`: its name, what kind it is and where it
/// sends (for `check-config`), and how to build it.
public struct URLChannel: Sendable {
    /// `<NAME>` lower-cased.
    public let name: String
    /// The variable it came from.
    public let variable: String
    public let kind: String
    public let host: String
    let build: @Sendable (ChannelContext) -> any NotificationChannel

    /// `oncall (discord, discord.com)`.
    public var summary: String { "\(name) (\(kind), \(host))" }
}

extension URLChannelKind {
    /// Reads `url` into a channel named `name`.
    static func read(
        _ url: AppriseURL, name: String, variable: String, context: URLChannelContext
    ) throws(ChannelURLError) -> URLChannel {
        let settings = try settings(from: url, context: context)
        return URLChannel(
            name: name, variable: variable, kind: kind, host: host(of: settings),
            build: { channel(named: name, settings: settings, context: $0) })
    }
}
