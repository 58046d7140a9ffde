extension DecisionSettings {
    /// `channels`: the names of the channels built for it (`ChannelCatalog`).
    public init(_ configuration: Configuration, channels: [String] = []) {
        self.init(
            instance: configuration.instance,
            collectorFailedAfter: configuration.collectorFailedAfter,
            policies: .standard(
                cooldown: configuration.cooldown, processCooldown: configuration.processCooldown,
                flap: configuration.flap),
            silences: configuration.silences,
            texts: Texts(configuration.language),
            routes: RouteTable(
                channels: channels, routes: configuration.routes, tiers: configuration.escalation.channels),
            escalation: configuration.escalation, publicURL: configuration.publicURL,
            causes: configuration.causeRules)
        causeReleaseAfter = configuration.interval
    }
}
