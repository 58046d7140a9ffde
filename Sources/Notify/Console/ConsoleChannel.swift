import FoundationEssentials
import FoundationGaps
import OutboundHTTP

/// Writes one line per notification to standard output (or another file handle).
///
/// The embedded default channel: with nothing configured, `docker logs` shows alerts.
/// It never digests: a log is not a chat that a storm could flood.
public struct ConsoleChannel: NotificationChannel {
    public let name = "console"
    public var destination: String { "the console (standard output)" }
    public let usesDigests = false
    private let renderer: ConsoleRenderer
    private let output: OutputDescriptor

    public init(language: Language, output: OutputDescriptor = .standardOutput) {
        self.renderer = ConsoleRenderer(language: language)
        self.output = output
    }

    public func render(_ batch: NotificationBatch) -> [OutboundMessage] {
        batch.notifications.map { OutboundMessage(id: $0.id, body: renderer.render($0)) }
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        // One write per line, unbuffered: a line must reach the log even if the process
        // is killed right after, and lines from concurrent writers must not interleave.
        do {
            try output.writeLine(message.body)
            return .delivered
        } catch {
            return .retryable(reason: "console write failed: \(error)", retryAfter: nil)
        }
    }
}
