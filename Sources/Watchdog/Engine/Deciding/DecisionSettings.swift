/// The configuration the pure tick evaluation needs, and nothing else.
public struct DecisionSettings: Sendable {
    public var instance: String
    public var collectorFailedAfter: Int
    public var policies: PolicyTable
    public var mute: MuteList
    public var texts: Texts

    public init(
        instance: String, collectorFailedAfter: Int, policies: PolicyTable, mute: MuteList = MuteList(),
        texts: Texts
    ) {
        self.instance = instance
        self.collectorFailedAfter = collectorFailedAfter
        self.policies = policies
        self.mute = mute
        self.texts = texts
    }
}
