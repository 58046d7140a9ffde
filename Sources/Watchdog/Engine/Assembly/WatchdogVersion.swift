/// The version `watchdog --version` prints. Raised with every
/// release; the minor number follows the issue that shaped it.
public enum WatchdogVersion {
    public static let current = "0.16.0"
}
