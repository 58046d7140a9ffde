import Notify
import OutboundHTTP

/// `matrix://TOKEN@host[:port]/#alias:server` or `…/!roomid:server`, and `matrixs://…`
/// over HTTPS (SPEC §5.1), as Apprise reads them: the part before `@` is the access
/// token; one room. An alias without `:server` is on the homeserver itself, as Apprise
/// completes it. Apprise's `user:password` login and its webhook modes (`?mode=t2bot`,
/// `slack`) are refused with the reason: a bot's access token is what the watchdog
/// takes. `?commands=yes` makes the room a place to act from (SPEC §13): `&admins=`
/// lists who may, else members with at least `&min_power=` (default 50, a moderator).
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
        let commands = url.flag("commands", default: false)
        var admins: [String] = []
        for item in (url.query["admins"] ?? "").split(separator: ",") {
            let admin = item.trimmingWhitespaceAndNewlines()
            guard !admin.isEmpty else { continue }
            // A user id: @localpart:server (the server may carry a port).
            let parts = admin.dropFirst().split(separator: ":", maxSplits: 1)
            guard admin.hasPrefix("@"), admin.count <= 255, parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                admin.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "/" && $0 != "," })
            else { throw .invalid("admins (Matrix user ids, @name:server, separated by commas)") }
            admins.append(admin)
        }
        var minimumPower = 50
        if let text = url.query["min_power"], !text.isEmpty {
            guard let level = Int(text), (-1_000_000...1_000_000).contains(level) else {
                throw .invalid("min_power (a power level, e.g. 50 for moderators, 100 for admins)")
            }
            minimumPower = level
        }
        if !commands, !admins.isEmpty || url.query["min_power"] != nil {
            throw .invalid("admins and min_power (they say who may act; add commands=yes to read the room)")
        }
        return MatrixSettings(
            homeserverURL: url.httpURL(path: []), accessToken: token, room: room, commands: commands, admins: admins,
            minimumPower: minimumPower)
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
