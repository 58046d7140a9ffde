import FoundationEssentials
import Notify
import OutboundHTTP

/// `ntfy://` and `ntfys://` (SPEC §5.1), read as Apprise reads them:
/// `ntfys://[user:password@]host[:port]/topic[/topic…]` for a server at that host
/// (`ntfys://ntfy.sh/topic` too), `ntfy://topic` for ntfy.sh (no topic after the host,
/// or `?mode=cloud`), and ntfy.sh's own `https://ntfy.sh/topic`. A token is `?token=tk_…`,
/// or a user part alone that starts with `tk_`; a user and password are basic
/// authentication. `?priority=` (min, low, default, high, max or 1–5) fixes the
/// priority of every message, `?tags=a,b` adds tags.
public enum NtfyKind: URLChannelKind {
    public static let schemes = ["ntfy", "ntfys"]
    public static let kind = "ntfy"
    static let cloudURL = "https://ntfy.sh"

    public static func takesNative(_ url: AppriseURL) -> Bool {
        ["https", "http"].contains(url.scheme) && url.host.lowercased() == "ntfy.sh" && !url.path.isEmpty
    }

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> NtfySettings
    {
        var topics = url.path
        if let more = url.query["to"] { topics += more.split(separator: ",").map(String.init) }
        let mode = url.query["mode"]?.lowercased()
        if let mode, !["cloud", "private"].contains(mode) { throw .invalid("mode (cloud or private)") }
        let cloud = takesNative(url) || mode == "cloud" || (mode == nil && topics.isEmpty)
        let server: String
        if cloud {
            if url.host.lowercased() != "ntfy.sh", !takesNative(url) { topics.insert(url.host, at: 0) }
            server = cloudURL
        } else {
            guard !url.host.isEmpty else { throw .missing("a host") }
            server = url.httpURL(path: [])
        }
        guard !topics.isEmpty else { throw .missing("a topic") }
        for topic in topics
        where topic.isEmpty || topic.count > 64
            || !topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        {
            throw .invalid("topic (letters, digits, - and _, at most 64)")
        }

        var authentication = NtfySettings.Authentication.none
        let declared = url.query["auth"]?.lowercased()
        if let token = url.query["token"], !token.isEmpty {
            authentication = .token(token)
        } else if let user = url.user, url.password == nil, declared == "token" || user.lowercased().hasPrefix("tk_") {
            authentication = .token(user)
        } else if let password = url.password, declared == "token" {
            authentication = .token(password)
        } else if let user = url.user, declared != "none" {
            authentication = .basic(user: user, password: url.password ?? "")
        }

        var fixed: Int?
        if let priority = url.query["priority"]?.lowercased(), !priority.isEmpty {
            // Apprise's reading: by the first letters (min, low/moderate, normal/default,
            // high, max/emergency) or the digit.
            let table: [(String, Int)] = [
                ("mi", 1), ("l", 2), ("mo", 2), ("n", 3), ("d", 3), ("h", 4), ("ma", 5), ("e", 5), ("u", 5), ("1", 1),
                ("2", 2), ("3", 3), ("4", 4), ("5", 5),
            ]
            guard let match = table.first(where: { priority.hasPrefix($0.0) }) else {
                throw .invalid("priority (min, low, default, high, max or 1 to 5)")
            }
            fixed = match.1
        }
        let tags = (url.query["tags"] ?? url.query["xtags"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " })
            .map(String.init).filter { !$0.isEmpty }.prefix(10)
        return NtfySettings(
            serverURL: server, topics: topics, authentication: authentication, fixedPriority: fixed,
            tags: Array(tags.map { String($0.prefix(64)) }))
    }

    public static func host(of settings: NtfySettings) -> String {
        ShownURL.authority(of: settings.serverURL) ?? "ntfy.sh"
    }

    public static func channel(named name: String, settings: NtfySettings, context: ChannelContext)
        -> any NotificationChannel
    {
        NtfyChannel(name: name, settings: settings, language: context.configuration.language, post: context.post)
    }
}
