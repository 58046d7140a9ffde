import ArgumentParser
import Foundation
import Notify
import Watchdog

/// `watchdog once`: one tick, then print what it saw and decided.
struct Once: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one tick and print readings, signals and decisions.")

    @Flag(help: "Send nothing and write no state.")
    var dryRun = false

    @Flag(help: "Print one JSON document (format in the README).")
    var json = false

    func run() async throws {
        let loaded = try loadConfigurationOrExit()
        let configuration = loaded.configuration
        let logger = prepareProcess(loaded)

        let clock = ContinuousClock()
        // A dry run reads the saved state (so decisions are what `run` would decide) but
        // writes nothing and sends nothing.
        let persisted = StateStore.loadState(path: configuration.stateFile, logger: logger, now: Date())
        let sources = SourceCatalog.sources(for: configuration)
        let engineState = prunedState(persisted.engine, sources: sources, logger: logger)
        let engine = TickEngine(
            sources: sources, settings: DecisionSettings(configuration),
            collectTimeout: configuration.collectTimeout, clock: clock, state: engineState)
        // With --json, stdout carries only the document: console notifications go to stderr.
        let channels =
            dryRun
            ? []
            : ChannelCatalog.channels(
                for: configuration, consoleOutput: json ? .standardError : .standardOutput, logger: logger)
        let delivery = Delivery.make(
            channels: channels, pending: dryRun ? [:] : persisted.outboxes,
            digestAfter: configuration.digestAfter, clock: clock, logger: logger)
        let store = StateStore(
            path: dryRun ? nil : configuration.stateFile, engine: engineState, logger: logger)
        await store.setOutboxes { await delivery.snapshot() }
        await delivery.setPersistence { await store.save() }
        let ticks = TickService(
            engine: engine, delivery: delivery, store: store, clock: clock,
            interval: configuration.interval, logger: logger)

        let report = await ticks.tick()
        // Give the channels one HTTP timeout per message in the queue, at most a minute;
        // what is left stays in the state file for the next run.
        let unsent = await delivery.drain(timeout: min(configuration.httpTimeout * 3, .seconds(60)), clock: clock)
        await store.save()
        for channel in unsent {
            logger.warning("notifications left queued for the next run", metadata: ["channel": "\(channel)"])
        }
        if json {
            var document = try report.json()
            document.append(UInt8(ascii: "\n"))
            FileHandle.standardOutput.write(document)
        } else {
            print(OnceText.render(report), terminator: "")
        }
    }
}
