/// What the tick decided for one key: shown by `once`, logged at debug.
public struct Decision: Sendable, Codable, Equatable {
    public let key: SignalKey
    public let observation: Observation
    public let action: AlertAction
    /// Whether the key is firing after this decision.
    public let firing: Bool
    /// The action's notification was not sent: a silence or an acknowledgement held it,
    /// or it was the resolve of a problem never announced.
    public let held: Bool

    public init(
        key: SignalKey, observation: Observation, action: AlertAction, firing: Bool, held: Bool
    ) {
        self.key = key
        self.observation = observation
        self.action = action
        self.firing = firing
        self.held = held
    }

    /// `muted` in `once --json`, the name it had before silences (the shape only grows).
    enum CodingKeys: String, CodingKey {
        case key, observation, action, firing
        case held = "muted"
    }
}
