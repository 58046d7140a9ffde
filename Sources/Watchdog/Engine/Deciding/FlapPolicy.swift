/// When a key counts as flapping (`WATCHDOG_FLAP`, SPEC §4): `changes` fires and
/// resolves within `window`.
public struct FlapPolicy: Sendable, Equatable {
    /// The change that is replaced by the flapping notice. At least 2.
    public var changes: Int
    public var window: Duration

    public init(changes: Int, window: Duration) {
        precondition(changes >= 2 && window > .zero, "a flap needs two changes in some time")
        self.changes = changes
        self.window = window
    }

    /// `N/window` (`6/30m`), or `off` (nil). nil with `valid` false for anything else.
    static func parse(_ text: String) -> (policy: FlapPolicy?, valid: Bool) {
        let value = text.trimmingSpaces()
        if value.lowercased() == "off" { return (nil, true) }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let changes = ConfigValueParser.count(String(parts[0]), in: 2...1_000),
            let window = ConfigValueParser.duration(String(parts[1]), bareUnitSeconds: 1), window >= .seconds(1)
        else { return (nil, false) }
        return (FlapPolicy(changes: changes, window: window), true)
    }
}
