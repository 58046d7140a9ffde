import Foundation

/// Writes one line per notification to standard output (or another file handle).
///
/// The embedded default channel: with nothing configured, `docker logs` shows alerts.
public struct ConsoleChannel: NotificationChannel {
    public let name = "console"
    private let renderer: ConsoleRenderer
    private let output: FileHandle

    public init(language: Language, output: FileHandle = .standardOutput) {
        self.renderer = ConsoleRenderer(language: language)
        self.output = output
    }

    public func send(_ notification: AlertNotification) async -> SendOutcome {
        // One write per line, unbuffered: a line must reach the log even if the process
        // is killed right after, and lines from concurrent writers must not interleave.
        let line = renderer.render(notification) + "\n"
        do {
            try output.write(contentsOf: Data(line.utf8))
            return .delivered
        } catch {
            return .retryable(reason: "console write failed: \(error)", retryAfter: nil)
        }
    }
}
