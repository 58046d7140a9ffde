import Notify
import OutboundHTTP

/// `matrix://TOKEN@host[:port]/#alias:server` or `…/!roomid:server`, and `matrixs://…`
/// over HTTPS (SPEC §5.1), as Apprise reads them: the part before `@` is the access
/// token; one room. An alias without `:server` is on the homeserver itself, as Apprise
/// completes it. Apprise's `user:password` login and its webhook modes (`?mode=t2bot`,
/// `slack`) are refused with the reason: a bot's access token is what the watchdog
/// takes.
public enum MatrixKind: URLChannelKind {
    public static let schemes = ["matrix", "matrixs"]
    public static let kind = "matrix"

    public static func settings(from url: AppriseURL, context: URLChannelContext) throws(ChannelURLError)
        -> MatrixSettings
    {
        guard !url.host.isEmpty else { throw .missing("the homeserver's host") }
        if let mode = url.query["mode"]?.lowercased(), !["", "off", "matrix"].contains(mode) {
            throw .invalid("mode (only off: the client API with an access token)")
        }
        guard url.password == nil || url.password?.isEmpty == true else {
            throw .invalid("login (a user:password login is not taken; give the bot's access token: TOKEN@host)")
        }
        guard let token = url.user, !token.isEmpty,
            token.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "/" })
        else { throw .missing("the access token before the host (TOKEN@host)") }
        let rooms = url.path.filter { !$0.isEmpty }
        guard rooms.count == 1, var room = rooms.first else {
            throw .missing("exactly one room after the host (#alias:server or !id:server)")
        }
        if !room.hasPrefix("#") && !room.hasPrefix("!") { room = "#" + room }
        if !room.contains(":") { room += ":" + url.host }
        guard room.count <= 255, room.allSatisfy({ !$0.isWhitespace && !$0.isNewline && $0 != "/" }) else {
            throw .invalid("room (#alias:server or !id:server)")
        }
        return MatrixSettings(homeserverURL: url.httpURL(path: []), accessToken: token, room: room)
    }

    public static func host(of settings: MatrixSettings) -> String {
        ShownURL.authority(of: settings.homeserverURL) ?? ""
    }

    public static func channel(named name: String, settings: MatrixSettings, context: ChannelContext)
        -> any NotificationChannel
    {
        MatrixChannel(name: name, settings: settings, language: context.configuration.language, post: context.post)
    }
}
