/// What one tick knows about one key: the input of `decide()`.
public enum Observation: String, Sendable, Codable, Equatable {
    case active
    case inactive
    /// Its collector failed (or did not run) this tick: nothing is known.
    case unknown
}
