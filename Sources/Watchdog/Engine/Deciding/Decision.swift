/// What the tick decided for one key: shown by `once`, logged at debug.
public struct Decision: Sendable, Codable, Equatable {
    public let key: SignalKey
    public let observation: Observation
    public let action: AlertAction
    /// Whether the key is firing after this decision.
    public let firing: Bool
    /// The notification this action produced was dropped by `WATCHDOG_MUTE`.
    public let muted: Bool

    public init(
        key: SignalKey, observation: Observation, action: AlertAction, firing: Bool, muted: Bool
    ) {
        self.key = key
        self.observation = observation
        self.action = action
        self.firing = firing
        self.muted = muted
    }
}
