/// Which stored keys a source speaks for. After the source succeeds, every owned key it
/// did not report is observed `inactive` (a synthesized recovery); after it fails, its
/// keys are `unknown` (SPEC §4).
public enum KeyOwnership: Sendable, Equatable {
    /// Every key of these families.
    case families(Set<SignalFamily>)
    /// One key: this family with this entity (one disk path, say).
    case key(SignalKey)
    /// Exactly these keys.
    case keys(Set<SignalKey>)

    public func owns(_ key: SignalKey) -> Bool {
        switch self {
        case .families(let families): families.contains(key.family)
        case .key(let owned): owned == key
        case .keys(let owned): owned.contains(key)
        }
    }
}
