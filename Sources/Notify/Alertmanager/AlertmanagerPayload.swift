import FoundationEssentials
import FoundationGaps

/// Alerts as Alertmanager's API v2 takes them (`POST /api/v2/alerts`): a JSON array of
/// `{labels, annotations, startsAt, endsAt, generatorURL}`. Pure.
public enum AlertmanagerPayload {
    /// A firing alert's `endsAt`: Alertmanager resolves it by itself if the watchdog
    /// stops re-posting it (a dead watchdog must not leave alerts firing forever), the
    /// way Prometheus does with four evaluation intervals.
    public static func firingEnd(now: Date, interval: Duration) -> Date {
        now.addingTimeInterval(4 * max(interval.seconds, 60))
    }

    /// Every firing key (re-posted each tick) and the keys resolved this tick.
    public static func body(firing: [AlertNotification], resolved: [AlertNotification], now: Date, interval: Duration)
        -> String
    {
        let ends = firingEnd(now: now, interval: interval)
        let alerts = firing.map { alert($0, endsAt: ends) } + resolved.map { alert($0, endsAt: $0.at) }
        return encode(alerts)
    }

    static func alert(_ notification: AlertNotification, endsAt: Date) -> JSONValue {
        [
            "labels": JSONValue(WebhookPayload.labels(notification)),
            "annotations": ["summary": JSONValue(notification.title), "description": JSONValue(notification.detail)],
            "startsAt": JSONValue(WebhookPayload.timestamp(notification.startedAt)),
            "endsAt": JSONValue(WebhookPayload.timestamp(endsAt)),
            "generatorURL": "",
        ]
    }

    static func encode(_ alerts: [JSONValue]) -> String {
        JSONValue.array(alerts).encodedString
    }

    /// Merges a pending, unsent post into the newer one that replaces it. Every key
    /// firing in the older post is in the newer one too (still firing, or resolved in
    /// between), so what only the older post carries are resolutions: they are kept, and
    /// a key that resolved while Alertmanager was unreachable is still posted resolved.
    public static func merge(older: String, newer: String) -> String {
        let decode = { (text: String) -> [JSONValue] in
            JSONValue.parse(text.utf8)?.arrayValue ?? []
        }
        let newerAlerts = decode(newer)
        let present = Set(newerAlerts.map(labelKey))
        return encode(newerAlerts + decode(older).filter { !present.contains(labelKey($0)) })
    }

    private static func labelKey(_ alert: JSONValue) -> String {
        let labels = alert["labels"]?.stringMembers ?? [:]
        return labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
