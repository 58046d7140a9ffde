import FoundationEssentials
import FoundationGaps

/// Renders notifications as Discord webhook payloads (SPEC §5.1): one embed, its colour
/// by action, outside text escaped for Discord's markdown, within Discord's limits
/// (title 256, description 4,096, an embed 6,000 characters), and `allowed_mentions`
/// empty so no text from outside ever pings anyone. A fire is remembered; its resolve
/// is sent and also edits the fire to say how it ended. Pure.
public struct DiscordRenderer: Sendable {
    public let strings: RenderStrings
    /// Shown as the sender instead of the webhook's own name (`?botname=`).
    public let username: String?
    let markup = ChatMarkup.discordMarkdown

    static let titleLimit = 256
    static let descriptionLimit = 4_096
    /// A message's text: Discord refuses a `content` longer than this.
    static let contentLimit = 2_000

    public init(language: Language, username: String? = nil) {
        strings = RenderStrings.of(language)
        self.username = username
    }

    /// The embed colour of each action: red, amber, green, orange, grey, purple, blue.
    static func colour(_ action: NotificationAction) -> Int {
        switch action {
        case .fire: 0xD9_3025
        case .repeat: 0xF2_9900
        case .resolve: 0x2E_B67D
        case .flapping: 0xF5_7C00
        case .settled: 0x9A_A0A6
        case .escalate: 0x8E_24AA
        case .acknowledge: 0x1E_88E5
        case .effects: 0xD9_3025
        case .report: 0x60_7D8B
        }
    }

    /// A batch's colour: its action's; a digest's red while any of it fires, else green.
    static func colour(_ batch: NotificationBatch) -> Int {
        switch batch {
        case .single(let notification): colour(notification.action)
        case .digest(let notifications):
            colour(notifications.contains { [.fire, .repeat, .escalate].contains($0.action) } ? .fire : .resolve)
        }
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        if case .single(let notification) = batch, notification.action == .effects {
            // The fire rewritten with every effect its cause holds (SPEC §4.2).
            let fire = notification.annotatedFire
            let text = markup.titled(.single(fire), strings: strings, budget: Self.descriptionLimit - 96)
            return [
                OutboundMessage(
                    id: batch.id,
                    body: payload(
                        title: text.title, description: text.body, colour: Self.colour(.fire), at: fire.startedAt),
                    links: .annotating(notification.key))
            ]
        }
        let text = markup.titled(batch, strings: strings, budget: Self.descriptionLimit - 96)
        let at = batch.notifications.map(\.at).max()
        let body = payload(title: text.title, description: text.body, colour: Self.colour(batch), at: at)
        var messages = [OutboundMessage(id: batch.id, body: body, links: .thread(batch))]
        if case .single(let notification) = batch, notification.endsProblem {
            let edited = markup.outcomeEdit(notification, strings: strings).split(separator: "\n").map(String.init)
            messages.append(
                .fireEdit(
                    of: notification,
                    body: payload(
                        title: markup.headline(notification, strings: strings, action: .fire),
                        description: edited.dropFirst().joined(separator: "\n"), colour: Self.colour(.resolve),
                        at: notification.startedAt)))
        }
        return messages
    }

    /// A webhook payload with one embed, cut to Discord's limits.
    func payload(title: String, description: String, colour: Int, at: Date?) -> String {
        var embed: [String: JSONValue] = [
            "title": JSONValue(ChannelText.cut(title, to: Self.titleLimit)),
            "description": JSONValue(ChannelText.cut(description, to: Self.descriptionLimit)),
            "color": .integer(Int64(colour)),
        ]
        if let at { embed["timestamp"] = JSONValue(ConsoleRenderer.timestamp(at)) }
        var object: [String: JSONValue] = [
            "embeds": .array([.object(embed)]),
            // Nobody is pinged, whatever the text says (@everyone, a role, a user).
            "allowed_mentions": .object(["parse": .array([])]),
        ]
        if let username { object["username"] = JSONValue(ChannelText.cut(username, to: 80)) }
        return JSONValue.object(object).encodedString
    }
}

extension ChatMarkup {
    /// Discord's markdown: every markup character of outside text behind a backslash
    /// (`*`, `_`, `~`, `` ` ``, `|`, `>`, `#`, `-`, `[`, `]`, `(`, `)`, `<`, `@`, `\`), so
    /// a container named `**x**` reads as written and `<@&role>` or `@everyone` stays
    /// text; inside a code span only the backtick, which would end it, is replaced.
    public static let discordMarkdown = ChatMarkup.markdown(escaping: "\\*_~`|>#-[]()<@", breakingMentions: false)

    /// A markdown whose markup characters of outside text get a backslash; with
    /// `breakingMentions` a zero-width space also follows every `@`. Inside a code span
    /// only the backtick, which would end it, is replaced.
    static func markdown(escaping characters: String, breakingMentions: Bool) -> ChatMarkup {
        ChatMarkup(
            bold: { "**\($0)**" }, code: { "`\($0)`" }, italic: { "*\($0)*" },
            escape: { text in
                var escaped = ""
                escaped.reserveCapacity(text.utf8.count)
                for character in text {
                    if characters.contains(character) { escaped.append("\\") }
                    escaped.append(character)
                    if breakingMentions, character == "@" { escaped.append("\u{200B}") }
                }
                return escaped
            },
            escapeInCode: { $0.replacing("`", with: "ˋ") })
    }
}
