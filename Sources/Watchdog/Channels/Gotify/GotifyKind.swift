import Notify
import OutboundHTTP

/// `gotify://host[:port][/path]/TOKEN` and `gotifys://…` (SPEC §5.1), as Apprise reads
/// them: the last path segment is the application token, what comes before it the
/// server's path. `?priority=` (low, moderate, normal, high, emergency, or 0–10) fixes
/// the priority of every message.
public enum GotifyKind: URLChannelKind {
    public static let schemes = ["gotify", "gotifys"]
    public static let kind = "gotify"

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> GotifySettings
    {
        guard !url.host.isEmpty else { throw .missing("a host") }
        var path = url.path
        guard let token = path.popLast(), !token.isEmpty,
            token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else { throw .missing("the application token after the host") }
        let server = url.httpURL(path: path)
        var fixed: Int?
        if let priority = url.query["priority"]?.lowercased(), !priority.isEmpty {
            if let number = Int(priority), (0...10).contains(number) {
                fixed = number
            } else if let match = [("l", 0), ("m", 3), ("n", 5), ("h", 8), ("e", 10)].first(where: {
                priority.hasPrefix($0.0)
            }) {
                fixed = match.1
            } else {
                throw .invalid("priority (low, moderate, normal, high, emergency or 0 to 10)")
            }
        }
        return GotifySettings(serverURL: server, token: token, fixedPriority: fixed)
    }

    public static func host(of settings: GotifySettings) -> String {
        ShownURL.authority(of: settings.serverURL) ?? ""
    }

    public static func channel(named name: String, settings: GotifySettings, context: ChannelContext)
        -> any NotificationChannel
    {
        GotifyChannel(name: name, settings: settings, language: context.configuration.language, post: context.post)
    }
}
