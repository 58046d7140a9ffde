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
        var annotations: [String: JSONValue] = [
            "summary": JSONValue(notification.title), "description": JSONValue(notification.detail),
        ]
        if let event = event(notification) { annotations["watchdog_event"] = JSONValue(event) }
        return [
            "status": notification.endsProblem ? "resolved" : "firing",
            "labels": JSONValue(labels),
            "annotations": JSONValue.object(annotations),
            "startsAt": JSONValue(timestamp(notification.startedAt)),
            "endsAt": JSONValue(notification.endsProblem ? timestamp(notification.at) : zeroTime),
            "generatorURL": "",
            "fingerprint": JSONValue(fingerprint(labels)),
        ]
    }

    /// What a message that is not a problem's own fire or resolve is (SPEC §5.1), for
    /// receivers that tell them apart: a reminder is an escalation sent again.
    static func event(_ notification: AlertNotification) -> String? {
        switch notification.action {
        case .escalate:
            // A reminder's id is its tier's with `@<time>` after it (`…:escalate-2@1765000000`).
            notification.id.firstRange(of: ":escalate-").map { notification.id[$0.upperBound...].contains("@") }
                ?? false
                ? "reminder" : "escalated"
        case .acknowledge: "acknowledged"
        case .report: "report"
        case .fire, .repeat, .resolve, .flapping, .settled, .effects: nil
        }
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
