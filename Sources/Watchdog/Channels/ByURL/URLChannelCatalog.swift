/// The one list of channel kinds given as URLs (SPEC §5.1; CONTRIBUTING.md: adding a
/// channel). A new scheme is a folder of its own and one line here.
public enum URLChannelCatalog {
    public static let all: [any URLChannelKind.Type] = [
        DiscordKind.self,
        JSONWebhookKind.self,
        NtfyKind.self,
        TelegramKind.self,
        SlackKind.self,
        GotifyKind.self,
        MattermostKind.self,
        PagerDutyKind.self,
        PushoverKind.self,
        EmailKind.self,
        MatrixKind.self,
        TeamsWorkflowsKind.self,
    ]

    /// Every scheme taken, for error messages: `discord, json, jsons`.
    static let schemeList = all.flatMap { $0.schemes }.joined(separator: ", ")

    /// The kind that takes `url`: by its scheme, else one that takes the service's own URL.
    static func kind(for url: AppriseURL) -> (any URLChannelKind.Type)? {
        all.first { $0.schemes.contains(url.scheme) } ?? all.first { $0.takesNative(url) }
    }

    /// Reads one URL into a channel named `name`.
    static func read(
        _ text: String, name: String, variable: String, context: URLChannelContext
    ) throws(ChannelURLError) -> URLChannel {
        var text = text
        if let separator = text.firstRange(of: "://") {
            let scheme = text[..<separator.lowerBound].lowercased()
            if let kind = all.first(where: { $0.schemes.contains(scheme) }) { text = kind.normalized(text) }
        }
        let url = try AppriseURL.parse(text)
        guard let kind = kind(for: url) else { throw .unknownScheme(url.scheme) }
        return try kind.read(url, name: name, variable: variable, context: context)
    }
}
