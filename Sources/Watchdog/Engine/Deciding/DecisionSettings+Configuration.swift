extension DecisionSettings {
    public init(_ configuration: Configuration) {
        self.init(
            instance: configuration.instance,
            collectorFailedAfter: configuration.collectorFailedAfter,
            policies: .standard(
                cooldown: configuration.cooldown, processCooldown: configuration.processCooldown,
                flap: configuration.flap),
            silences: configuration.silences,
            texts: Texts(configuration.language))
    }
}
