import FoundationEssentials
import FoundationGaps

/// The Alertmanager webhook payload, version "4": what Alertmanager itself POSTs to a
/// webhook receiver, so existing receivers understand the watchdog's messages.
public enum WebhookPayload {
    /// `endsAt` of an alert that has not ended, as Alertmanager writes it.
    static let zeroTime = "0001-01-01T00:00:00Z"

    public static func body(for notifications: [AlertNotification]) -> String {
        let alerts = notifications.map(alert)
        let firing = notifications.contains { !$0.endsProblem }
        let instance = notifications.first?.instance ?? ""
        let common = commonLabels(notifications.map(labels))
        let payload: JSONValue = [
            "version": "4",
            "groupKey": JSONValue("{}:{instance=\"\(instance)\"}"),
            "truncatedAlerts": 0,
            "status": firing ? "firing" : "resolved",
            "receiver": "watchdog",
            "groupLabels": ["instance": JSONValue(instance)],
            "commonLabels": JSONValue(common),
            "commonAnnotations": [:],
            "externalURL": "",
            "alerts": .array(alerts),
        ]
        return payload.encodedString
    }

    static func labels(_ notification: AlertNotification) -> [String: String] {
        var labels = [
            "alertname": notification.family,
            "instance": notification.instance,
            "severity": notification.severity.rawValue,
        ]
        if let entity = notification.entity { labels["entity"] = entity }
        return labels
    }

    static func alert(_ notification: AlertNotification) -> JSONValue {
        let labels = labels(notification)
        return [
            "status": notification.endsProblem ? "resolved" : "firing",
            "labels": JSONValue(labels),
            "annotations": ["summary": JSONValue(notification.title), "description": JSONValue(notification.detail)],
            "startsAt": JSONValue(timestamp(notification.startedAt)),
            "endsAt": JSONValue(notification.endsProblem ? timestamp(notification.at) : zeroTime),
            "generatorURL": "",
            "fingerprint": JSONValue(fingerprint(labels)),
        ]
    }

    static func commonLabels(_ all: [[String: String]]) -> [String: String] {
        guard var common = all.first else { return [:] }
        for labels in all.dropFirst() {
            common = common.filter { labels[$0.key] == $0.value }
        }
        return common
    }

    /// A stable 16-hex-digit hash of the label set (FNV-1a), like Alertmanager's.
    public static func fingerprint(_ labels: [String: String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            for byte in Array(key.utf8) + [0xff] + Array(value.utf8) + [0xff] {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
