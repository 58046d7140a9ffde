import Collectors
import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// The README documents the code's own lists; these tests keep them equal.
@Suite struct ReadmeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func readme() throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// `scripts/regenerate-docs.sh` sets this: the generated parts of the README and of
    /// `.env.example` are written from the code before they are compared, so a new
    /// variable needs no pasting. Never set in CI, where the files are only compared.
    static let regenerating = ProcessInfo.processInfo.environment["WATCHDOG_REGENERATE_DOCS"] == "1"

    /// Replaces what stands between a section's markers with `content` (regenerating only).
    static func regenerate(section name: String, with content: String) throws {
        guard regenerating else { return }
        let url = packageRoot.appendingPathComponent("README.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- \(name):begin -->\n"
        let end = "\n<!-- \(name):end -->"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { return }
        try (text[..<start.upperBound] + content + text[stop.lowerBound...]).write(
            to: url, atomically: true, encoding: .utf8)
    }

    static func section(_ name: String, in text: String) -> String? {
        let begin = "<!-- \(name):begin -->\n"
        let end = "\n<!-- \(name):end -->"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<stop.lowerBound])
    }

    @Test func theConfigurationTableIsGeneratedFromTheVariableList() throws {
        try Self.regenerate(section: "config-table", with: ConfigVariable.markdownTable())
        let table = Self.section("config-table", in: try Self.readme())
        #expect(
            table == ConfigVariable.markdownTable(),
            "README.md's config-table section must be exactly:\n\(ConfigVariable.markdownTable())")
    }

    @Test func everySignalFamilyIsInTheSignalsTable() throws {
        try Self.regenerate(section: "signals-table", with: SignalFamily.markdownTable())
        let table = try #require(Self.section("signals-table", in: try Self.readme()))
        for family in SignalFamily.allCases {
            #expect(table.contains("`\(family.rawValue)`"), "\(family.rawValue) missing from README")
        }
        #expect(
            table == SignalFamily.markdownTable(),
            "README.md's signals-table section must be exactly:\n\(SignalFamily.markdownTable())")
    }

    /// The README's limits are the code's: a changed constant fails here until the
    /// table says the same.
    @Test func theLimitsTableStatesTheCodesLimits() throws {
        let table = try #require(Self.section("limits-table", in: try Self.readme()))
        let mebibyte = 1024 * 1024
        let rows = [
            "| keys one source reports in one tick | \(SourceLimits.keysPerSource) |",
            "| series one rule matches | \(SourceLimits.seriesPerRule) |",
            "| agents in one orchestrator envelope | \(OrchestratorEnvelope.maximumAgents) |",
            "| queue states in one envelope | \(OrchestratorEnvelope.maximumCounts) |",
            "| orchestrator body | \(OrchestratorCollector.bodyLimit / mebibyte) MiB kept |",
            "| a source's memory between ticks | \(SourceLimits.memoryBytes / mebibyte) MiB |",
            "| pending messages per channel | \(ChannelOutbox<ContinuousClock>.capacity) and "
                + "\(ChannelOutbox<ContinuousClock>.byteCapacity / mebibyte) MiB |",
            "| state file read at start | \(StateFile.sizeLimit / mebibyte) MiB |",
            "| \(SilenceBook.capacity) stored, each with at most \(Silence.maximumMatchers) matchers, a value of at most "
                + "\(Self.grouped(LabelMatcher.maximumValueLength)) bytes, \(Silence.maximumMatcherBytes / 1024) KB "
                + "together, and texts of \(Silence.maximumTextLength) characters |",
            "| containers one source watches | \(Self.grouped(DockerCollector.maximumContainers)) |",
            "| one entry of Docker's container list | \(ContainerList.maximumEntryBytes / 1024) KiB |",
            "| any other Docker answer (inspect, logs) | \(DockerClient.bodyLimit / mebibyte) MiB |",
            "| one event of Docker's events stream | \(JSONLinesReader.defaultLimit / 1024) KiB |",
            "| EC2 instances the filters add | \(Self.grouped(EC2Collector.maximumInstances)) |",
            "| matching processes in one `/proc` scan | \(Self.grouped(ProcessScanner.maximumMatched)) |",
            "| entries of the process table in one scan | \(Self.grouped(ProcessScanner.entryLimit)) |",
            "| a silence request body | \(SilenceAPI.maximumBodyBytes / 1024) KB |",
            "| maintenance windows | \(MaintenanceParser.maximumEntries) entries of "
                + "\(MaintenanceParser.maximumEntryLength) bytes |",
            "| HTTP endpoint connections | \(HTTPEndpointService.keptConnections) kept, "
                + "\(HTTPEndpointService.maximumConnections) open |",
        ]
        for row in rows {
            #expect(table.contains(row), "README limits table lacks: \(row)")
        }
    }

    /// `1000` as the README writes it: `1,000`.
    static func grouped(_ number: Int) -> String {
        let digits = String(number)
        guard digits.count > 3 else { return digits }
        return grouped(number / 1000) + "," + String(digits.suffix(3))
    }

    static let envExampleMarker =
        "# --- every watchdog variable, with its default (generated from the code) -------------\n\n"

    /// `.env.example` lists every variable with its default and a comment (SPEC §11), and
    /// is what our own `.env` parser accepts.
    @Test func envExampleListsEveryVariableFromTheCode() throws {
        let url = Self.packageRoot.appendingPathComponent(".env.example")
        if Self.regenerating, let old = try? String(contentsOf: url, encoding: .utf8),
            let marker = old.range(of: Self.envExampleMarker)
        {
            try (old[..<marker.upperBound] + ConfigVariable.envExampleBlock() + "\n").write(
                to: url, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        let marker = try #require(text.range(of: Self.envExampleMarker))
        let generated = String(text[marker.upperBound...])
        #expect(
            generated == ConfigVariable.envExampleBlock() + "\n",
            ".env.example must end with:\n\(ConfigVariable.envExampleBlock())")
        let settings = try DotEnv.parse(text)
        #expect(settings.map(\.key).contains("ORCHESTRATOR_IMAGE"))
        #expect(settings.allSatisfy { !$0.key.hasPrefix("WATCHDOG_") || ConfigVariable.knownNames.contains($0.key) })
    }

    /// The README's "add the watchdog to your existing compose file" block: what a user
    /// pastes is valid compose merged into another project's file, and carries every
    /// setting of the shipped service (but `depends_on`, which names our orchestrator).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-compose") || RealDocker.required))
    func theComposeServiceBlockIsValidInAnotherProjectsFile() async throws {
        let section = try #require(Self.section("compose-service", in: try Self.readme()))
        let block = section.replacingOccurrences(of: "```yaml\n", with: "").replacingOccurrences(of: "\n```", with: "")
        let project = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: project.path + "/watchdog", withDestinationPath: Self.packageRoot.path)
        _ = try project.write(".env", "WATCHDOG_TELEGRAM_BOT_TOKEN=1:x\nWATCHDOG_TELEGRAM_CHAT_ID=-1\n")
        _ = try project.write(
            "docker-compose.yml", "services:\n  shop:\n    image: example/shop:1\n    restart: always\n" + block + "\n")
        let checked = try await RealDocker.shell(
            [
                "/usr/bin/docker-compose", "--project-directory", project.path, "-f",
                project.path + "/docker-compose.yml", "config",
            ],
            environment: ["PATH": "/usr/bin:/bin"], directory: project.path)
        #expect(checked.status == 0, "docker-compose config: \(checked.stderr)")
        #expect(checked.stdout.contains("  shop:") && checked.stdout.contains("  watchdog:"))
        #expect(checked.stdout.contains("read_only: true"))

        func serviceKeys(_ text: String) -> Set<String> {
            var keys = Set<String>()
            var inWatchdog = false
            for line in text.split(separator: "\n") {
                if line.hasPrefix("  ") && !line.hasPrefix("   ") { inWatchdog = line.hasPrefix("  watchdog:") }
                if !line.hasPrefix(" ") { inWatchdog = false }
                guard inWatchdog, line.hasPrefix("    "), !line.hasPrefix("     "), !line.hasPrefix("    #"),
                    let colon = line.firstIndex(of: ":")
                else { continue }
                keys.insert(String(line[line.index(line.startIndex, offsetBy: 4)..<colon]))
            }
            return keys
        }
        let shipped = try String(
            contentsOf: Self.packageRoot.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        #expect(serviceKeys(block) == serviceKeys(shipped).subtracting(["depends_on"]))
        #expect(block.contains("# pid: host") && shipped.contains("    # pid: host\n"))
    }
}
