/// What `decide()` says to do about one key this tick.
public enum AlertAction: String, Sendable, Codable, Equatable {
    case none
    case fire
    case `repeat`
    case resolve
}
