import FoundationEssentials
import FoundationGaps
import Notify
import Watchdog

/// `watchdog once`: one tick, then print what it saw and decided.
struct Once {
    /// Send nothing and write no state.
    var dryRun = false
    /// Print one JSON document (format in docs/commands.md).
    var json = false

    func run() async throws {
        let loaded = try await loadResolvedConfigurationOrExit()
        let configuration = loaded.configuration
        let logger = prepareProcess(loaded)

        // A dry run decides from the saved state, like `run` would, but writes nothing and
        // sends nothing. With --json, stdout carries only the document: console
        // notifications go to stderr.
        let channels =
            dryRun
            ? []
            : ChannelCatalog.channels(
                for: configuration, consoleOutput: json ? .standardError : .standardOutput, logger: logger)
        let assembly = await TickAssembly.make(
            configuration, channels: channels, writesState: !dryRun, logger: logger)

        let report = await assembly.ticks.tick()
        // Three HTTP timeouts (a minute at most) to send what the tick queued; what is
        // left stays in the state file for the next run.
        let unsent = await assembly.delivery.drain(
            timeout: min(configuration.httpTimeout * 3, .seconds(60)), clock: ProcessClocks.monotonic)
        await assembly.store.save()
        for channel in unsent {
            logger.warning("notifications left queued for the next run", metadata: ["channel": "\(channel)"])
        }
        if json {
            var document = Array(try report.json())
            document.append(UInt8(ascii: "\n"))
            try? OutputDescriptor.standardOutput.write(document)
        } else {
            print(OnceText.render(report), terminator: "")
        }
    }
}
