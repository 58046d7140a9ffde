import Notify
import OutboundHTTP

/// `pover://USER_KEY@APP_TOKEN[/DEVICE…]` (SPEC §5.1), Pushover as Apprise writes it.
/// `?priority=emergency` makes critical alerts emergencies (repeated every `?interval=`
/// seconds, default 900, at least 30, until acknowledged or `?expire=` seconds, default
/// 3600, at most 10800); another `?priority=` (low, moderate, normal, high, or -2 … 1)
/// fixes every message's; `?sound=`. The API base is `WATCHDOG_PUSHOVER_API_URL`.
public enum PushoverKind: URLChannelKind {
    public static let schemes = ["pover"]
    public static let kind = "pushover"

    public static func normalized(_ text: String) -> String {
        // Apprise's rewrite: a `#` in the path is a character of a device name.
        guard let mark = text.firstIndex(of: "?") else { return text.replacing("#", with: "%23") }
        return String(text[..<mark]).replacing("#", with: "%23") + text[mark...]
    }

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> PushoverSettings
    {
        func isKey(_ text: String) -> Bool {
            text.count == 30 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        guard let user = url.user, isKey(user) else { throw .invalid("user key (30 letters and digits, before the @)") }
        guard isKey(url.host) else { throw .invalid("application token (30 letters and digits, after the @)") }
        var emergency = false
        var fixed: Int?
        if let priority = url.query["priority"]?.lowercased(), !priority.isEmpty {
            let table: [(String, Int)] = [("l", -2), ("m", -1), ("n", 0), ("h", 1), ("e", 2)]
            let value = Int(priority) ?? table.first(where: { priority.hasPrefix($0.0) })?.1
            guard let value, (-2...2).contains(value) else {
                throw .invalid("priority (low, moderate, normal, high, emergency or -2 to 2)")
            }
            if value == 2 { emergency = true } else { fixed = value }
        }
        func seconds(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(ChannelURLError) -> Int {
            guard let text = url.query[key], !text.isEmpty else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw .invalid("\(key) (\(range.lowerBound) to \(range.upperBound) seconds)")
            }
            return number
        }
        return PushoverSettings(
            userKey: user, appToken: url.host,
            apiBaseURL: context.apiBaseURL("pushover", fallback: "https://api.pushover.net"),
            devices: url.path, emergency: emergency, fixedPriority: fixed,
            retry: try seconds("interval", default: 900, in: 30...10_800),
            expire: try seconds("expire", default: 3_600, in: 30...10_800), sound: url.query["sound"])
    }

    public static func host(of settings: PushoverSettings) -> String {
        ShownURL.authority(of: settings.apiBaseURL) ?? "api.pushover.net"
    }

    public static func channel(named name: String, settings: PushoverSettings, context: ChannelContext)
        -> any NotificationChannel
    {
        PushoverChannel(name: name, settings: settings, language: context.configuration.language, post: context.post)
    }
}
