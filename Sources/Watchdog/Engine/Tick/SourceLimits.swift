/// The bounds that keep the watchdog's memory and state file small whatever a source
/// reads (SPEC §1: bounded). Each is far above what a sane system shows; beyond one, the
/// first entries are watched, the rest left out, and the log says so once
/// (docs/limits.md). Together they bound the tracked keys, and so the state file, the digest
/// and the Alertmanager mirror.
public enum SourceLimits {
    /// Keys one source may report in one tick. Beyond it, keys already tracked are kept
    /// first (so nothing firing is lost or falsely resolved), then active ones, then the
    /// rest in key order.
    public static let keysPerSource = 500
    /// Series one rule may match; each is a key.
    public static let seriesPerRule = 100
    /// A source's memory between ticks, as JSON (agent samples, rule timers, ...).
    public static let memoryBytes = 1024 * 1024
}
