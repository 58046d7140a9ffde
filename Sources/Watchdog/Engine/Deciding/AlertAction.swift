/// What `decide()` says to do about one key this tick.
public enum AlertAction: String, Sendable, Codable, Equatable {
    case none
    case fire
    case `repeat`
    case resolve
    /// The key changed state too often (`WATCHDOG_FLAP`): said once, then its fires,
    /// repeats and resolves are held.
    case flapping
    /// A flapping key has not changed for a whole window; says where it ended.
    case settled
}
