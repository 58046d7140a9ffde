import Notify
import OutboundHTTP

/// `pagerduty://INTEGRATION_KEY@API_KEY[/SOURCE[/COMPONENT]]` (SPEC §5.1), PagerDuty as
/// Apprise writes it: the integration key (32 characters) is the events' routing key;
/// the API key, which Events API v2 does not need, is read and never sent.
/// `?region=eu` posts to PagerDuty's EU service; `?severity=`, `?group=`,
/// `?source=`, `?component=` and `+name=value` details as Apprise reads them. The API
/// base is `WATCHDOG_PAGERDUTY_API_URL`.
public enum PagerDutyKind: URLChannelKind {
    public static let schemes = ["pagerduty"]
    public static let kind = "pagerduty"
    static let usBase = "https://events.pagerduty.com"
    static let euBase = "https://events.eu.pagerduty.com"

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> PagerDutySettings
    {
        let key = url.query["integrationkey"] ?? url.user ?? ""
        guard !key.isEmpty else { throw .missing("the integration key (before the @)") }
        guard key.count == 32, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .invalid("integration key (32 letters and digits)")
        }
        var path = url.path
        let source = url.query["source"] ?? (path.isEmpty ? nil : path.removeFirst())
        let component = url.query["component"] ?? (path.isEmpty ? nil : path.removeFirst())
        let severity = url.query["severity"]?.lowercased()
        if let severity, !["critical", "error", "warning", "info"].contains(severity) {
            throw .invalid("severity (critical, error, warning or info)")
        }
        var base = context.apiBaseURL("pagerduty", fallback: usBase)
        switch url.query["region"]?.lowercased() {
        case nil, "", "us": break
        case "eu": if base == usBase { base = euBase }
        default: throw .invalid("region (us or eu)")
        }
        var details: [String: String] = [:]
        for (name, value) in url.query where name.hasPrefix("+") && name.count > 1 {
            details[String(name.dropFirst())] = value
        }
        return PagerDutySettings(
            routingKey: key, apiBaseURL: base, source: source, component: component, group: url.query["group"],
            fixedSeverity: severity, details: details)
    }

    public static func host(of settings: PagerDutySettings) -> String {
        ShownURL.authority(of: settings.apiBaseURL) ?? "events.pagerduty.com"
    }

    public static func channel(named name: String, settings: PagerDutySettings, context: ChannelContext)
        -> any NotificationChannel
    {
        PagerDutyChannel(name: name, settings: settings, language: context.configuration.language, post: context.post)
    }
}
