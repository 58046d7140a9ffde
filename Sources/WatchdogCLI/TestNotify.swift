import FoundationEssentials
import FoundationGaps
import Notify
import Watchdog

/// `watchdog test-notify [--channel NAME]`: one test message through each channel, and
/// what each API answered.
struct TestNotify {
    /// Only this channel (its name), or every one.
    var channel: String?

    func run() async throws {
        let loaded = try await loadResolvedConfigurationOrExit()
        let configuration = loaded.configuration
        let logger = prepareProcess(loaded)
        var channels = ChannelCatalog.channels(for: configuration, logger: logger)
        if let wanted = channel {
            channels = channels.filter { $0.name == wanted }
            guard !channels.isEmpty else {
                let configured = ChannelCatalog.channels(for: configuration, logger: logger).map(\.name)
                try? OutputDescriptor.standardError.writeLine(
                    "test-notify: no channel \"\(wanted)\" is configured; configured: \(configured.joined(separator: ", "))"
                )
                throw ExitStatus(2)
            }
        }

        let now = ProcessClocks.wall()
        let strings = RenderStrings.of(configuration.language)
        let test = AlertNotification(
            id: "watchdog_test@\(Int(now.timeIntervalSince1970)):fire", action: .fire, severity: .warning,
            family: "watchdog_test", entity: nil, title: strings.testMessage, detail: "watchdog test-notify",
            instance: configuration.instance, startedAt: now, at: now)
        var allDelivered = true
        for channel in channels {
            // Straight to the API, no outbox: the point is to see its answer now.
            var answer = "ok"
            for message in channel.render(.single(test)) {
                switch await channel.send(message) {
                case .delivered, .deliveredAs: continue
                case .retryable(let reason, let retryAfter):
                    let wait = retryAfter.map { ", retry after \(DurationText.format(seconds: $0))" } ?? ""
                    answer = "failed (temporary): \(reason)" + wait
                case .permanent(let reason):
                    answer = "failed: \(reason)"
                }
                allDelivered = false
                break
            }
            print("\(channel.name) → \(channel.destination): \(answer)")
        }
        if !allDelivered { throw ExitStatus(1) }
    }
}
