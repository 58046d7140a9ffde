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
        let engine = TickEngine(
            sources: SourceCatalog.sources(for: configuration),
            settings: DecisionSettings(configuration),
            collectTimeout: configuration.collectTimeout, clock: clock)
        // With --json, stdout carries only the document: console notifications go to stderr.
        let channels =
            dryRun
            ? [] : ChannelCatalog.channels(for: configuration, consoleOutput: json ? .standardError : .standardOutput)
        let ticks = TickService(
            engine: engine, dispatcher: Dispatcher(channels: channels, logger: logger), clock: clock,
            interval: configuration.interval, logger: logger)

        let report = await ticks.tick()
        if json {
            var document = try report.json()
            document.append(UInt8(ascii: "\n"))
            FileHandle.standardOutput.write(document)
        } else {
            print(OnceText.render(report), terminator: "")
        }
    }
}
