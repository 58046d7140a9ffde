import FoundationEssentials
import FoundationGaps
import Notify

/// `json://` and `jsons://` (SPEC §5.1): the webhook channel at any HTTP endpoint, as
/// Apprise's JSON kind is written: `jsons://user:password@host:port/path?+Header=value`.
/// `json` is plain HTTP, `jsons` HTTPS; a user part becomes basic authentication and a
/// `+name=value` option a request header. The body is the Alertmanager webhook payload.
public enum JSONWebhookKind: URLChannelKind {
    public struct Settings: Sendable {
        public var url: String
        public var host: String
        public var headers: [(String, String)]
    }

    public static let schemes = ["json", "jsons"]
    public static let kind = "webhook"

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError) -> Settings {
        guard !url.host.isEmpty else { throw .missing("a host") }
        let target = url.httpURL(path: url.path)
        var headers: [(String, String)] = []
        for (key, value) in url.query.sorted(by: { $0.key < $1.key }) where key.hasPrefix("+") && key.count > 1 {
            let name = String(key.dropFirst())
            guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ":") }),
                !value.contains(where: \.isNewline)
            else { throw .invalid("header option +\(name.prefix(40))") }
            headers.append((name, value))
        }
        if let user = url.user {
            let pair = Array((user + ":" + (url.password ?? "")).utf8)
            headers.append(("Authorization", "Basic " + Data(pair).base64EncodedString()))
        }
        guard ConfigValueParser.httpURL(target) != nil else { throw .invalid("host or path") }
        return Settings(url: target, host: url.host, headers: headers)
    }

    public static func host(of settings: Settings) -> String { settings.host }

    public static func channel(named name: String, settings: Settings, context: ChannelContext)
        -> any NotificationChannel
    {
        WebhookChannel(name: name, url: settings.url, headers: settings.headers, post: context.post)
    }
}
