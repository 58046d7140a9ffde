/// The configuration the pure tick evaluation needs, and nothing else.
public struct DecisionSettings: Sendable {
    public var instance: String
    public var collectorFailedAfter: Int
    public var policies: PolicyTable
    /// `WATCHDOG_MUTE` and `WATCHDOG_MAINTENANCE`; run-time silences live in the state.
    public var silences: ConfiguredSilences
    public var texts: Texts
    /// Which channels take which alerts (SPEC §4.3).
    public var routes: RouteTable
    /// Who is told when nobody acknowledges (SPEC §4.3).
    public var escalation: EscalationPolicy
    /// Where Ack links point (`WATCHDOG_PUBLIC_URL`); nil: none are made.
    public var publicURL: String?
    /// Which alerts hold which (SPEC §4.2).
    public var causes: CauseRules
    /// How long an effect stays held after its cause is over, to recover first: one
    /// tick's interval (`WATCHDOG_INTERVAL`).
    public var causeReleaseAfter: Duration = .zero

    public init(
        instance: String, collectorFailedAfter: Int, policies: PolicyTable,
        silences: ConfiguredSilences = ConfiguredSilences(),
        texts: Texts, routes: RouteTable = .everywhere, escalation: EscalationPolicy = .off,
        publicURL: String? = nil, causes: CauseRules = CauseRules()
    ) {
        self.causes = causes
        self.publicURL = publicURL
        self.escalation = escalation
        self.routes = routes
        self.instance = instance
        self.collectorFailedAfter = collectorFailedAfter
        self.policies = policies
        self.silences = silences
        self.texts = texts
    }
}
