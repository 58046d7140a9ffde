import FoundationEssentials
import FoundationGaps
import OutboundHTTP

/// Where a Teams workflow (Power Automate's "post to a channel when a webhook request is
/// received") is triggered.
public struct TeamsWorkflowsSettings: Sendable, Equatable {
    /// `https://host[:port]`: a Logic Apps or Power Platform host.
    public var baseURL: String
    public var workflowID: String
    /// The trigger's `sig`: whoever has it can post.
    public var signature: String
    /// The Power Automate form of the trigger URL (`/powerautomate/automations/direct`).
    public var powerAutomate: Bool
    /// Its `/cu/{id}` routing segment, when the URL had one.
    public var routingID: String?
    /// `api-version`: 2016-06-01, or 2022-03-01-preview for Power Automate.
    public var apiVersion: String

    public init(
        baseURL: String, workflowID: String, signature: String, powerAutomate: Bool = false, routingID: String? = nil,
        apiVersion: String? = nil
    ) {
        self.baseURL = baseURL
        self.workflowID = workflowID
        self.signature = signature
        self.powerAutomate = powerAutomate
        self.routingID = routingID
        self.apiVersion = apiVersion ?? (powerAutomate ? "2022-03-01-preview" : "2016-06-01")
    }

    /// The trigger's URL, as Apprise builds it.
    public var triggerURL: String {
        var path = powerAutomate ? "/powerautomate/automations/direct" : ""
        if powerAutomate, let routingID { path += "/cu/\(PercentEncoding.encode(routingID))" }
        return
            "\(baseURL)\(path)/workflows/\(PercentEncoding.encode(workflowID, keeping: Set("-_".utf8)))/triggers/manual/paths/invoke"
            + "?api-version=\(PercentEncoding.encode(apiVersion, keeping: Set("-.".utf8)))"
            + "&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=\(PercentEncoding.encode(signature, keeping: Set("-_".utf8)))"
    }
}

/// Microsoft Teams through a Workflows trigger (SPEC §5.1): one Adaptive Card a
/// notification. Outside text goes into `TextRun`s, which Teams never reads as markdown,
/// and the card lists no mention entities, so `<at>…</at>` in outside text pings nobody.
/// The trigger answers 202; a 429's `Retry-After` is honoured. No edits: a trigger
/// cannot change what the flow posted.
public struct TeamsWorkflowsChannel: NotificationChannel {
    public let name: String
    public var destination: String {
        ShownURL.of(settings.baseURL, pathIsSecret: false) + "/…/workflows/\(settings.workflowID)/… (sig <redacted>)"
    }
    /// A workflow trigger takes about 100 calls a minute before Power Automate throttles.
    public let pacing = Pacing(minimumGap: .milliseconds(700), windowLimit: 60, window: .seconds(60))
    private let settings: TeamsWorkflowsSettings
    private let strings: RenderStrings
    private let post: HTTPPost
    private let markup = ChatMarkup.plain

    /// Teams refuses a card over about 28 KB; the text stays well under it.
    static let textBudget = 12_000

    public init(name: String, settings: TeamsWorkflowsSettings, language: Language, post: HTTPPost) {
        self.name = name
        var settings = settings
        settings.baseURL = settings.baseURL.trimmingSuffix("/")
        self.settings = settings
        self.strings = RenderStrings.of(language)
        self.post = post
    }

    /// The headline's colour, by what the batch says.
    static func colour(_ batch: NotificationBatch) -> String {
        let actions = batch.notifications.map(\.action)
        if actions.contains(.fire) || actions.contains(.escalate) { return "Attention" }
        if actions.contains(.repeat) || actions.contains(.flapping) { return "Warning" }
        return "Good"
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        let text = markup.titled(batch, strings: strings, budget: Self.textBudget)
        func run(_ text: String, _ extra: [String: JSONValue] = [:]) -> JSONValue {
            .object([
                "type": JSONValue("RichTextBlock"),
                "inlines": .array([
                    .object(["type": JSONValue("TextRun"), "text": JSONValue(text)].merging(extra) { $1 })
                ]),
            ])
        }
        var blocks = [
            run(
                ChannelText.cut(text.title, to: 300),
                ["weight": JSONValue("Bolder"), "size": JSONValue("Large"), "color": JSONValue(Self.colour(batch))])
        ]
        blocks += text.body.split(separator: "\n", omittingEmptySubsequences: false).map { run(String($0)) }
        let card = JSONValue.object([
            "type": JSONValue("message"),
            "attachments": .array([
                .object([
                    "contentType": JSONValue("application/vnd.microsoft.card.adaptive"),
                    "contentUrl": .null,
                    "content": .object([
                        "$schema": JSONValue("http://adaptivecards.io/schemas/adaptive-card.json"),
                        "type": JSONValue("AdaptiveCard"), "version": JSONValue("1.4"), "body": .array(blocks),
                        "msteams": .object(["width": JSONValue("Full")]),
                    ]),
                ])
            ]),
        ])
        return [OutboundMessage(id: batch.id, body: card.encodedString)]
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let secrets = [settings.signature]
        let answer = await post.send(url: settings.triggerURL, body: Array(message.body.utf8), secrets: secrets)
        // {"error": {"code": "DirectApiInvalidAuthorizationSignature", "message": "…"}}
        return answer.plainOutcome(secrets: secrets) { body in
            let error = JSONValue.parse(body)?["error"]
            let code = error?["code"]?.stringValue
            let said = error?["message"]?.stringValue
            return [code, said].compactMap { $0 }.joined(separator: ": ").nilIfEmpty
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
