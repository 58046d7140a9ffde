import Collectors
import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// The docs state the code's own lists; these tests keep them equal. Each generated part
/// stands between `<!-- name:begin -->` and `<!-- name:end -->` in the page that owns it.
@Suite struct ReadmeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The page of each generated or checked part.
    static let configurationPage = "docs/configuration.md"
    static let signalsPage = "docs/signals.md"
    static let limitsPage = "docs/limits.md"
    static let deploymentPage = "docs/deployment.md"

    static func page(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// `scripts/regenerate-docs.sh` sets this: the generated parts of the docs and of
    /// `.env.example` are written from the code before they are compared, so a new
    /// variable needs no pasting. Never set in CI, where the files are only compared.
    static let regenerating = ProcessInfo.processInfo.environment["WATCHDOG_REGENERATE_DOCS"] == "1"

    /// Replaces what stands between a section's markers in `path` with `content`
    /// (regenerating only).
    static func regenerate(section name: String, in path: String, with content: String) throws {
        guard regenerating else { return }
        let url = packageRoot.appendingPathComponent(path)
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
        try Self.regenerate(
            section: "config-table", in: Self.configurationPage, with: ConfigVariable.markdownTable())
        let table = Self.section("config-table", in: try Self.page(Self.configurationPage))
        #expect(
            table == ConfigVariable.markdownTable(),
            "\(Self.configurationPage)'s config-table section must be exactly:\n\(ConfigVariable.markdownTable())")
    }

    @Test func everySignalFamilyIsInTheSignalsTable() throws {
        try Self.regenerate(section: "signals-table", in: Self.signalsPage, with: SignalFamily.markdownTable())
        let table = try #require(Self.section("signals-table", in: try Self.page(Self.signalsPage)))
        for family in SignalFamily.allCases {
            #expect(table.contains("`\(family.rawValue)`"), "\(family.rawValue) missing from \(Self.signalsPage)")
        }
        #expect(
            table == SignalFamily.markdownTable(),
            "\(Self.signalsPage)'s signals-table section must be exactly:\n\(SignalFamily.markdownTable())")
    }

    /// The documented limits are the code's: a changed constant fails here until the
    /// table says the same.
    @Test func theLimitsTableStatesTheCodesLimits() throws {
        let table = try #require(Self.section("limits-table", in: try Self.page(Self.limitsPage)))
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
            "| routes | \(MaintenanceParser.maximumEntries) entries of \(MaintenanceParser.maximumEntryLength) bytes "
                + "per channel, \(MatcherList.maximumItems) matchers per entry |",
            "| escalation tiers | \(EscalationPolicy.maximumTiers) |",
            "| Ack links | \(AckLinkAPI.failuresPerMinute) failed tries a minute per address, "
                + "\(Self.grouped(AckFailures.maximumClients)) addresses remembered, a capability of "
                + "\(AckLink.maximumCapabilityLength) bytes |",
            "| events one Matrix `/sync` answer holds for the room | \(MatrixSync.timelineLimit) |",
            "| one chat answer | \(Self.grouped(TelegramText.limit)) characters in Telegram, "
                + "\(Self.grouped(MatrixRenderer.answerLimit)) in a Matrix event |",
            "| HTTP endpoint connections | \(HTTPEndpointService.keptConnections) kept, "
                + "\(HTTPEndpointService.maximumConnections) open |",
        ]
        for row in rows {
            #expect(table.contains(row), "\(Self.limitsPage)'s limits table lacks: \(row)")
        }
    }

    /// `1000` as the docs write it: `1,000`.
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

    /// The "add the watchdog to your existing compose file" block: what a user
    /// pastes is valid compose merged into another project's file, and carries every
    /// setting of the shipped service (but `depends_on`, which names our orchestrator).
    @Test(.enabled(if: ComposeCommand.words != nil || RealDocker.required))
    func theComposeServiceBlockIsValidInAnotherProjectsFile() async throws {
        let section = try #require(Self.section("compose-service", in: try Self.page(Self.deploymentPage)))
        let block = section.replacingOccurrences(of: "```yaml\n", with: "").replacingOccurrences(of: "\n```", with: "")
        let project = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: project.path + "/watchdog", withDestinationPath: Self.packageRoot.path)
        _ = try project.write(".env", "WATCHDOG_TELEGRAM_BOT_TOKEN=1:x\nWATCHDOG_TELEGRAM_CHAT_ID=-1\n")
        _ = try project.write(
            "docker-compose.yml", "services:\n  shop:\n    image: example/shop:1\n    restart: always\n" + block + "\n")
        let compose = try #require(ComposeCommand.words, "neither docker compose nor docker-compose is installed")
        let checked = try await RealDocker.shell(
            compose + ["--project-directory", project.path, "-f", project.path + "/docker-compose.yml", "config"],
            environment: ["PATH": "/usr/bin:/bin"], directory: project.path)
        #expect(checked.status == 0, "\(ComposeCommand.name) config: \(checked.stderr)")
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

/// The README is the front page and the reference lives in `docs/`; every link between
/// them leads to a file that exists and, with an anchor, to a heading in it.
@Suite struct DocumentationLinksTests {
    static let packageRoot = ReadmeTests.packageRoot.path

    /// Every Markdown page of the repository's own documentation.
    static func pages() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/docs")
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return ["README.md", "CONTRIBUTING.md", "BENCHMARKS.md"] + docs
    }

    @Test func theReadmeIsAFrontPageUnder300Lines() throws {
        let readme = try ReadmeTests.page("README.md")
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(lines < 300, "README.md has \(lines) lines; reference belongs in docs/")
        for page in try Self.pages() where page.hasPrefix("docs/") {
            #expect(readme.contains("](\(page)"), "README.md does not link \(page)")
        }
    }

    @Test func everyLinkLeadsToAFileAndAHeadingThatExist() throws {
        var broken: [String] = []
        for page in try Self.pages() {
            let text = try ReadmeTests.page(page)
            broken += Self.brokenLinks(in: text, of: page) { try? ReadmeTests.page($0) }
        }
        #expect(broken.isEmpty, "broken links:\n\(broken.joined(separator: "\n"))")
    }

    @Test func aLinkToAMissingFileOrHeadingIsFound() {
        let pages = ["docs/a.md": "# A\n\n## Reading `once --json`\n"]
        let text = """
            [ok](docs/a.md#reading-once---json) [ok](#top) [web](https://example.test/x)
            [gone](docs/b.md) [no heading](docs/a.md#limits) `[in code](nowhere.md)`
            ```
            [in a fence](nowhere.md)
            ```
            # Top
            """
        let broken = Self.brokenLinks(in: text, of: "README.md") { pages[$0] }
        #expect(broken == ["README.md: docs/b.md", "README.md: docs/a.md#limits"])
    }

    /// The links of `text` (the page at `path`) that lead nowhere; `read` gives a page's
    /// text by its path from the package root, nil when there is none.
    static func brokenLinks(in text: String, of path: String, read: (String) -> String?) -> [String] {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : ""
        var broken: [String] = []
        for target in links(in: text) where !target.contains("://") && !target.hasPrefix("mailto:") {
            let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let file = String(parts[0])
            let anchor = parts.count > 1 ? String(parts[1]) : nil
            let resolved = file.isEmpty ? path : normalized(directory.isEmpty ? file : directory + "/" + file)
            let exists =
                FileManager.default.fileExists(atPath: packageRoot + "/" + resolved) || read(resolved) != nil
            guard exists else {
                broken.append("\(path): \(target)")
                continue
            }
            if let anchor, resolved.hasSuffix(".md") {
                let page = file.isEmpty ? text : (read(resolved) ?? "")
                if !headings(in: page).contains(anchor) { broken.append("\(path): \(target)") }
            }
        }
        return broken
    }

    /// `[text](target)` outside code (fences and backticks).
    static func links(in text: String) -> [String] {
        var found: [String] = []
        var fenced = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                fenced.toggle()
                continue
            }
            guard !fenced else { continue }
            let prose = line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: " ")
            var rest = Substring(prose)
            while let open = rest.range(of: "](") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                found.append(String(after[..<close]))
                rest = after[close...]
            }
        }
        return found
    }

    /// The anchors GitHub gives a page's headings: lower case, spaces as hyphens, other
    /// punctuation dropped.
    static func headings(in text: String) -> Set<String> {
        var anchors = Set<String>()
        var fenced = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("```") { fenced.toggle() }
            guard !fenced, line.hasPrefix("#") else { continue }
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            var anchor = ""
            for character in title.lowercased() {
                if character.isLetter || character.isNumber || character == "-" || character == "_" {
                    anchor.append(character)
                } else if character == " " {
                    anchor.append("-")
                }
            }
            anchors.insert(anchor)
        }
        return anchors
    }

    /// `docs/../README.md` as `README.md`.
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == ".." { _ = parts.popLast() } else if part != "." { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }
}
