/// How a family's observations become actions (SPEC §4).
public struct AlertPolicy: Sendable, Equatable {
    /// Consecutive `active` observations before `fire`. At least 1.
    public var fireAfter: Int
    /// Consecutive `inactive` observations while firing before `resolve`. At least 1.
    public var resolveAfter: Int
    /// Repeat a still-firing alert this often; nil never repeats.
    public var repeatEvery: Duration?
    /// Fire on every active observation and keep no state (`job_failed`).
    public var isEdge: Bool
    /// nil: the key never counts as flapping.
    public var flap: FlapPolicy?

    public init(
        fireAfter: Int = 1, resolveAfter: Int = 1, repeatEvery: Duration? = nil,
        isEdge: Bool = false, flap: FlapPolicy? = nil
    ) {
        precondition(fireAfter >= 1 && resolveAfter >= 1, "counts start at 1")
        self.fireAfter = fireAfter
        self.resolveAfter = resolveAfter
        self.repeatEvery = repeatEvery
        self.isEdge = isEdge
        self.flap = flap
    }
}
