import FoundationEssentials
import FoundationGaps
import OutboundHTTP

/// Where PagerDuty's Events API v2 is, and what an event carries besides the alert.
public struct PagerDutySettings: Sendable {
    /// The integration key of an Events API v2 integration: the event's `routing_key`.
    public var routingKey: String
    /// `https://events.pagerduty.com` (or the EU's, or `WATCHDOG_PAGERDUTY_API_URL`).
    public var apiBaseURL: String
    /// `payload.source`; the instance when nil.
    public var source: String?
    public var component: String?
    public var group: String?
    /// A severity the URL fixes (`?severity=`), else the alert's.
    public var fixedSeverity: String?
    /// `+name=value` options: added to `custom_details`.
    public var details: [String: String]

    public init(
        routingKey: String, apiBaseURL: String, source: String? = nil, component: String? = nil,
        group: String? = nil, fixedSeverity: String? = nil, details: [String: String] = [:]
    ) {
        self.routingKey = routingKey
        self.apiBaseURL = apiBaseURL
        self.source = source
        self.component = component
        self.group = group
        self.fixedSeverity = fixedSeverity
        self.details = details
    }
}

/// PagerDuty through the Events API v2 (SPEC §5.1): a fire or a repeat is a `trigger`
/// and the resolve a `resolve`, both with the alert key as `dedup_key`, so PagerDuty
/// keeps one incident per key and closes it on resolve (a repeat deduplicates into the
/// open incident). Every notification is its own event: PagerDuty does its own grouping,
/// so no digest.
public struct PagerDutyChannel: NotificationChannel {
    public let name: String
    public var destination: String { ShownURL.of(settings.apiBaseURL, pathIsSecret: false) + "/v2/enqueue" }
    public let usesDigests = false
    /// PagerDuty allows an integration 120 events a minute.
    public let pacing = Pacing(minimumGap: .milliseconds(100), windowLimit: 120, window: .seconds(60))
    private let settings: PagerDutySettings
    private let strings: RenderStrings
    private let post: HTTPPost

    public init(name: String, settings: PagerDutySettings, language: Language, post: HTTPPost) {
        self.name = name
        var settings = settings
        settings.apiBaseURL = settings.apiBaseURL.trimmingSuffix("/")
        self.settings = settings
        self.strings = RenderStrings.of(language)
        self.post = post
    }

    /// `trigger`, `acknowledge` or `resolve`: a problem over (a resolve, a flapping key
    /// that settled resolved) resolves the incident, an acknowledgement made elsewhere
    /// acknowledges it; anything else (re)triggers it.
    static func action(_ notification: AlertNotification) -> String {
        switch notification.action {
        case .resolve: "resolve"
        case .settled: notification.stillFiring ? "trigger" : "resolve"
        case .fire, .repeat, .flapping, .escalate: "trigger"
        case .acknowledge: "acknowledge"
        case .effects, .report: "trigger"
        }
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        // An incident is one problem: what else its cause took down, and the scheduled
        // reports, are for the chats.
        batch.notifications.filter { $0.action != .effects && $0.action != .report }.map { notification in
            let summary = ChannelText.cut(
                ChannelText.oneLine(
                    "\(notification.title)" + (notification.detail.isEmpty ? "" : " · \(notification.detail)")
                        + " · \(notification.instance)"), to: 1_024)
            var details: [String: JSONValue] = [
                "key": JSONValue(notification.key), "family": JSONValue(notification.family),
                "detail": JSONValue(ChannelText.cut(notification.detail, to: 2_000)),
                "instance": JSONValue(notification.instance),
                "since": JSONValue(ConsoleRenderer.timestamp(notification.startedAt)),
                "event": JSONValue(strings.word(for: notification.action)),
            ]
            if let entity = notification.entity { details["entity"] = JSONValue(entity) }
            for (key, value) in settings.details { details[key] = JSONValue(value) }
            var payload: [String: JSONValue] = [
                "summary": JSONValue(summary),
                "source": JSONValue(ChannelText.cut(settings.source ?? notification.instance, to: 255)),
                "severity": JSONValue(settings.fixedSeverity ?? notification.severity.rawValue),
                "class": JSONValue(notification.family),
                "timestamp": JSONValue(ConsoleRenderer.timestamp(notification.at)),
                "custom_details": .object(details),
            ]
            if let component = settings.component { payload["component"] = JSONValue(component) }
            if let group = settings.group { payload["group"] = JSONValue(group) }
            // The routing key is added when sending: it is a secret, and the outbox keeps
            // its messages in the state file.
            let event: [String: JSONValue] = [
                "event_action": JSONValue(Self.action(notification)),
                "dedup_key": JSONValue(ChannelText.cut(notification.key, to: 255)),
                "client": "watchdog",
                "payload": .object(payload),
            ]
            return OutboundMessage(id: notification.id, body: JSONValue.object(event).encodedString)
        }
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let secrets = [settings.routingKey]
        guard case .object(var event) = JSONValue.parse(Array(message.body.utf8)) else {
            return .permanent(reason: "the queued event is not JSON")
        }
        event["routing_key"] = JSONValue(settings.routingKey)
        let answer = await post.send(
            url: settings.apiBaseURL + "/v2/enqueue", body: JSONValue.object(event).encoded, secrets: secrets)
        // {"status": "invalid event", "message": "Event object is invalid", "errors": ["…"]}
        return answer.plainOutcome(secrets: secrets) { body in
            let object = JSONValue.parse(body)
            let words = [object?["message"]?.stringValue] + (object?["errors"]?.arrayValue ?? []).map(\.stringValue)
            return words.compactMap { $0 }.joined(separator: ": ")
        }
    }
}
