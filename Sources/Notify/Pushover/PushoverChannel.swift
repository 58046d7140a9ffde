import FoundationEssentials
import FoundationGaps
import OutboundHTTP

/// Who a Pushover message goes to and how loud it is.
public struct PushoverSettings: Sendable {
    public var userKey: String
    public var appToken: String
    /// `https://api.pushover.net`, or `WATCHDOG_PUSHOVER_API_URL`.
    public var apiBaseURL: String
    /// Devices of the user to send to; all when empty.
    public var devices: [String]
    /// `?priority=emergency`: critical alerts use emergency priority 2, repeated every
    /// `retry` seconds until acknowledged in the app or `expire` seconds pass.
    public var emergency: Bool
    /// Another `?priority=` fixes the priority of every message (-2 … 1).
    public var fixedPriority: Int?
    public var retry: Int
    public var expire: Int
    public var sound: String?

    public init(
        userKey: String, appToken: String, apiBaseURL: String, devices: [String] = [], emergency: Bool = false,
        fixedPriority: Int? = nil, retry: Int = 900, expire: Int = 3_600, sound: String? = nil
    ) {
        self.userKey = userKey
        self.appToken = appToken
        self.apiBaseURL = apiBaseURL
        self.devices = devices
        self.emergency = emergency
        self.fixedPriority = fixedPriority
        self.retry = retry
        self.expire = expire
        self.sound = sound
    }
}

/// Pushover (SPEC §5.1): `POST /1/messages.json`, form-encoded; priority by severity
/// (critical 1, warning 0, a resolve -1). With `?priority=emergency` a critical fire is
/// an emergency (priority 2): Pushover repeats it until someone acknowledges it in the
/// app; its receipt is kept with the alert, and the resolve cancels the emergency
/// (`POST /1/receipts/{receipt}/cancel.json`), so a phone stops ringing for a problem
/// that is over. The keys travel in the form body, added only when sending.
public struct PushoverChannel: NotificationChannel {
    public let name: String
    public var destination: String { ShownURL.of(settings.apiBaseURL, pathIsSecret: false) + "/1/messages.json" }
    /// Pushover asks for no more than a few messages a second per application.
    public let pacing = Pacing(minimumGap: .milliseconds(500))
    private let settings: PushoverSettings
    private let strings: RenderStrings
    private let post: HTTPPost
    private let markup = ChatMarkup.plain

    public init(name: String, settings: PushoverSettings, language: Language, post: HTTPPost) {
        self.name = name
        var settings = settings
        settings.apiBaseURL = settings.apiBaseURL.trimmingSuffix("/")
        self.settings = settings
        self.strings = RenderStrings.of(language)
        self.post = post
    }

    /// Pushover's -2…2: critical 1 (2, an emergency, on request), warning 0, flapping 0,
    /// a problem over -1.
    func priority(_ notification: AlertNotification) -> Int {
        if let fixed = settings.fixedPriority { return fixed }
        let priority = PriorityScale(critical: 1, warning: 0, flapping: 0, over: -1).priority(of: notification)
        return priority == 1 && settings.emergency && !notification.endsProblem ? 2 : priority
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let text = markup.titled(batch, strings: strings, budget: 1_000)
        var fields = [
            ("title", ChannelText.cut(text.title, to: 250)), ("message", ChannelText.cut(text.body, to: 1_000)),
        ]
        var links = MessageLinks.none
        var messages: [OutboundMessage] = []
        switch batch {
        case .single(let notification):
            let priority = priority(notification)
            fields += [
                ("priority", String(priority)), ("timestamp", String(Int(notification.at.timeIntervalSince1970))),
            ]
            if let link = notification.ackLink {
                // A supplementary URL: the page it opens has the one button that acknowledges.
                fields += [("url", link), ("url_title", strings.ackButton)]
            }
            if priority == 2 {
                fields += [("retry", String(settings.retry)), ("expire", String(settings.expire))]
                // The receipt stands for the alert: its resolve cancels the emergency.
                links = MessageLinks(records: [notification.key])
            }
            if notification.endsProblem, settings.emergency, notification.severity == .critical {
                messages.append(
                    OutboundMessage(
                        id: "\(batch.id):cancel", body: "cancel", links: MessageLinks(editsKey: notification.key)))
            }
        case .digest(let notifications):
            // A digest is never an emergency: it has no one alert to acknowledge.
            fields.append(("priority", String(notifications.map { min(1, priority($0)) }.max() ?? 0)))
        }
        if let sound = settings.sound { fields.append(("sound", sound)) }
        if !settings.devices.isEmpty { fields.append(("device", settings.devices.joined(separator: ","))) }
        let body = fields.map { "\($0.0)=\(PercentEncoding.encode($0.1, keeping: Set("-._~".utf8)))" }
            .joined(separator: "&")
        return [OutboundMessage(id: batch.id, body: body, links: links)] + messages
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        await send(message, links: .none)
    }

    public func send(_ message: OutboundMessage, links: ResolvedLinks) async -> SendOutcome {
        let secrets = [settings.appToken, settings.userKey]
        let url: String
        var body = "token=" + PercentEncoding.encode(settings.appToken)
        if message.links.isEdit {
            // A cancel of an emergency that was never sent (or has no receipt) is moot.
            guard let receipt = links.edit else { return .delivered }
            url = settings.apiBaseURL + "/1/receipts/\(PercentEncoding.encode(receipt))/cancel.json"
        } else {
            url = settings.apiBaseURL + "/1/messages.json"
            body += "&user=" + PercentEncoding.encode(settings.userKey) + "&" + message.body
        }
        let answer = await post.send(
            url: url, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded", secrets: secrets)
        switch answer {
        case .failed(let reason):
            return .retryable(reason: HTTPPost.redact(reason, secrets: secrets), retryAfter: nil)
        case .response(let status, let headers, let responseBody):
            // {"status": 1, "request": "…", "receipt": "…"}; errors {"status": 0, "errors": ["…"]}
            let object = JSONValue.parse(responseBody)
            if (200..<300).contains(status), object?["status"]?.intValue == 1 {
                return object?["receipt"]?.stringValue.map { .deliveredAs(reference: $0) } ?? .delivered
            }
            let said = (object?["errors"]?.arrayValue ?? []).compactMap(\.stringValue)
                .map { ChannelText.cut(ChannelText.oneLine($0), to: 200) }.joined(separator: "; ")
            let reason = HTTPPost.redact("HTTP \(status)" + (said.isEmpty ? "" : ": \(said)"), secrets: secrets)
            if status == 429 { return .retryable(reason: reason, retryAfter: HTTPPost.retryAfter(headers)) }
            if status >= 500 || status == 408 { return .retryable(reason: reason, retryAfter: nil) }
            if (200..<300).contains(status) {
                return .retryable(reason: "unexpected answer: \(reason)", retryAfter: nil)
            }
            return .permanent(reason: reason)
        }
    }

    /// Whether emergencies are sent, whose receipts say who acknowledged them.
    public var sendsEmergencies: Bool { settings.emergency }

    /// `GET /1/receipts/{receipt}.json?token=…` (Pushover's receipts API; no faster than
    /// every 5 s per receipt): whether someone acknowledged the emergency, or it expired.
    public func receipt(_ receipt: String) async -> Result<PushoverReceipt, PushoverReceipt.Failure> {
        let secrets = [settings.appToken, settings.userKey]
        let url =
            settings.apiBaseURL + "/1/receipts/\(PercentEncoding.encode(receipt)).json?token="
            + PercentEncoding.encode(settings.appToken)
        switch await post.send(url: url, method: .get, body: [], secrets: secrets) {
        case .failed(let reason):
            return .failure(.init(reason: HTTPPost.redact(reason, secrets: secrets), permanent: false))
        case .response(let status, _, let body):
            if (200..<300).contains(status), let parsed = PushoverReceipt.parse(body) { return .success(parsed) }
            let reason = HTTPPost.redact("HTTP \(status)", secrets: secrets)
            // An unknown or week-old receipt is 400: asking again cannot help.
            return .failure(.init(reason: reason, permanent: (400..<500).contains(status) && status != 429))
        }
    }
}

/// What Pushover's receipts API says of one emergency.
public struct PushoverReceipt: Sendable, Equatable {
    public var acknowledged: Bool
    public var acknowledgedAt: Int64
    /// The user key of who acknowledged it: a credential, never shown.
    public var acknowledgedBy: String
    /// The name of the device it was acknowledged on, if Pushover gave one.
    public var device: String
    public var expired: Bool

    public struct Failure: Error, Sendable, Equatable {
        public let reason: String
        /// The receipt is unknown or over: stop asking.
        public let permanent: Bool
    }

    /// `{"status":1,"acknowledged":1,"acknowledged_at":…,"acknowledged_by":"u…",
    /// "acknowledged_by_device":"phone","expired":0,…}`; nil unless status is 1.
    public static func parse(_ body: [UInt8]) -> PushoverReceipt? {
        guard body.count <= 64 * 1024, let object = JSONValue.parse(body), object["status"]?.intValue == 1 else {
            return nil
        }
        func flag(_ name: String) -> Bool { (object[name]?.intValue ?? 0) == 1 || object[name]?.boolValue == true }
        return PushoverReceipt(
            acknowledged: flag("acknowledged"), acknowledgedAt: Int64(object["acknowledged_at"]?.intValue ?? 0),
            acknowledgedBy: object["acknowledged_by"]?.stringValue ?? "",
            device: ChannelText.cut(ChannelText.oneLine(object["acknowledged_by_device"]?.stringValue ?? ""), to: 60),
            expired: flag("expired"))
    }
}
