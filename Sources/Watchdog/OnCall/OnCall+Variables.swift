/// The variables of routes, escalation and acknowledgements from anywhere (SPEC §4.3).
extension ConfigVariable {
    static let route = ConfigVariable(
        "WATCHDOG_ROUTE_<NAME>", .text, default: "",
        "which alerts channel <name> takes, and when: ;-separated entries DAYS HH:MM-HH:MM [ZONE] MATCHER[,MATCHER...] as in WATCHDOG_MAINTENANCE, or always MATCHER[,MATCHER...]; a matcher is a key, a family, a glob, * or a label matcher such as severity=critical; a channel without a route takes every alert, and an alert no channel takes goes to every channel"
    )

    static let publicURL = ConfigVariable(
        "WATCHDOG_PUBLIC_URL", .url, default: "",
        "the address people's devices reach the endpoint at, e.g. https://watchdog.example.com: channels without a chat (ntfy, e-mail, Pushover) then carry an Ack link; needs WATCHDOG_LISTEN"
    )

    /// In the order docs/configuration.md lists them.
    static let onCallVariables: [ConfigVariable] = [
        .route, .escalate, .escalateMatch, .escalateRepeat, .publicURL,
    ]
}

extension ConfigReader {
    /// Every `WATCHDOG_ROUTE_<NAME>`, each read strictly; a bad entry is an issue naming
    /// the variable and the entry.
    mutating func routes(_ variable: ConfigVariable) -> [ChannelRoute] {
        let directory = ZoneRules.directory(environment: environment.values)
        var routes: [ChannelRoute] = []
        for member in members(of: variable) {
            let (entries, problems) = RouteParser.parse(member.value, zoneDirectory: directory)
            for problem in problems { record(ConfigIssue(variable: member.variable, message: problem)) }
            routes.append(
                ChannelRoute(channel: member.member.lowercased(), variable: member.variable, entries: entries))
        }
        return routes
    }
}

extension Configuration {
    /// Ack links are answered by the endpoint: without it they would lead nowhere.
    func publicURLIssues() -> [ConfigIssue] {
        guard publicURL != nil, listen == nil else { return [] }
        return [
            ConfigIssue(
                variable: ConfigVariable.publicURL.name,
                message: "Ack links need the HTTP endpoint, and WATCHDOG_LISTEN is off")
        ]
    }

    /// A route must name a channel that exists: a typo would otherwise leave the
    /// channel taking everything while the operator believes it is routed.
    func routeIssues(channels: [String]) -> [ConfigIssue] {
        routes.compactMap { route in
            guard !channels.contains(where: { route.routes($0) }) else { return nil }
            let known = channels.isEmpty ? "none" : channels.joined(separator: ", ")
            let hint = NameSuggestion.closest(to: route.channel, in: channels).map { "; did you mean \($0)?" } ?? ""
            return ConfigIssue(
                variable: route.variable, message: "no channel is named \(route.channel)\(hint) (channels: \(known))")
        }
    }
}
