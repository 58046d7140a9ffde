import Collectors
import Foundation
import NIOHTTP1
import Notify
import Watchdog

/// Every parser that reads input from outside, as a function of raw bytes: what
/// `scripts/fuzz.sh` feeds libFuzzer, and what the regression test replays saved inputs
/// through. A target must return for any input; errors are the expected answer to
/// garbage, a crash or a hang is a finding.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case meminfo
    case procStat = "proc-stat"
    case cmdline
    case dockerContainer = "docker-container"
    case orchestratorEnvelope = "orchestrator-envelope"
    /// Two envelopes, one per line, evaluated in turn with the memory carried over: the
    /// arithmetic on the orchestrator's numbers (deltas, ages) across two fetches.
    case orchestratorNumbers = "orchestrator-numbers"
    case prometheusText = "prometheus-text"
    case ec2XML = "ec2-xml"
    case cloudWatchXML = "cloudwatch-xml"
    case telegramResponse = "telegram-response"
    case slackResponse = "slack-response"
    case configValues = "config-values"
    case zoneInfo = "zoneinfo"
    case silenceRequest = "silence-request"
    case chatUpdate = "chat-update"
    case dockerEvents = "docker-events"
    /// Docker's container list and the orchestrator's answer read as they arrive, in
    /// pieces whose sizes the first byte picks (`JSONArrayReader`, `OrchestratorBodyFilter`).
    case streamedBodies = "streamed-bodies"

    /// Feeds one input to the parsers of this target.
    public func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .meminfo:
            _ = try? MemInfo.parse(text)
            _ = try? BootTime.parse(text)
        case .procStat:
            _ = try? ProcessStat.parse(bytes)
        case .cmdline:
            _ = ProcessCommandLine.display(bytes, name: "fuzz")
        case .dockerContainer:
            _ = try? ContainerStatus.parse(bytes)
        case .orchestratorEnvelope:
            _ = try? OrchestratorEnvelope.parse(bytes)
            _ = OrchestratorCollector.interpret(status: 200, contentType: "application/json", body: bytes)
        case .orchestratorNumbers:
            let lines = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
            let source = OrchestratorSource(
                url: "http://127.0.0.1:1/", timeout: .seconds(1),
                settings: .init(
                    downAfter: 1, staleAfter: .seconds(60), hungAfter: .seconds(60), backlog: 1,
                    rules: (try? Rule.parseList("q: queue.counts.failed > 1")) ?? []),
                texts: Texts(.en))
            var memory: OrchestratorSource.Memory?
            for (index, line) in lines.enumerated() {
                let reading = OrchestratorCollector.interpret(status: 200, contentType: "", body: Array(line))
                let now = Date(timeIntervalSince1970: 1_800_000_000 + Double(index) * 1_000)
                memory = source.evaluate(reading, memory: memory, now: now).memory
            }
        case .streamedBodies:
            let piece = Int(bytes.first ?? 1) % 64 + 1
            let rest = Array(bytes.dropFirst())
            var selection = ContainerList.Selection(names: ["web"], project: "p", preferred: ["db"], limit: 3)
            var envelope = OrchestratorBodyFilter(contentType: "application/json", limit: 4_096)
            var text = OrchestratorBodyFilter(contentType: "text/plain", limit: 4_096, metricNames: ["up"])
            var failed = (list: false, envelope: false)
            for start in stride(from: 0, to: rest.count, by: piece) {
                let part = rest[start..<min(rest.count, start + piece)]
                if !failed.list { failed.list = (try? selection.read(part)) == nil }
                part.withUnsafeBytes { part in
                    if !failed.envelope { failed.envelope = (try? envelope.feed(part)) == nil }
                    try? text.feed(part)
                }
            }
            _ = try? selection.finish()
            text.finish()
            _ = OrchestratorCollector.interpret(
                status: 200, contentType: "application/json", body: envelope.kept, agentsListed: envelope.agentsListed)
            _ = OrchestratorCollector.interpret(status: 200, contentType: "text/plain", body: text.kept)
        case .prometheusText:
            _ = try? PrometheusText.parse(text)
        case .ec2XML:
            _ = AWSAPIError.parse(bytes, status: 400)
            if let root = try? XMLTree.parse(bytes) {
                _ = EC2Responses.instanceStatuses(root)
                _ = EC2Responses.instances(root)
            }
        case .cloudWatchXML:
            if let root = try? XMLTree.parse(bytes) { _ = CloudWatchResponses.latestAverage(root) }
        case .telegramResponse:
            // The first byte picks the status, so error answers are explored too.
            let status = [200, 400, 403, 429, 500][Int(bytes.first ?? 0) % 5]
            _ = TelegramAPI.classify(status: status, body: Array(bytes.dropFirst()))
        case .slackResponse:
            let status = [200, 400, 404, 429, 500][Int(bytes.first ?? 0) % 5]
            let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let headers = HTTPHeaders([("Retry-After", String(lines.first ?? "").prefix(100).description)])
            _ = HTTPPostResult.response(status: status, headers: headers, body: Array(bytes.dropFirst()))
                .plainOutcome(secrets: ["https://hooks.slack.com/services/T0/B0/s3cr3t"])
        case .configValues:
            _ = ConfigValueParser.duration(text, bareUnitSeconds: 1)
            _ = ConfigValueParser.percent(text)
            _ = ConfigValueParser.flag(text)
            _ = ConfigValueParser.count(text, in: 1...1_000)
            _ = ConfigValueParser.list(text)
            _ = ConfigValueParser.listenAddress(text)
            _ = ConfigValueParser.httpURL(text)
            _ = try? DotEnv.parse(text)
            _ = try? Rule.parseList(text)
            _ = try? EC2Filter.parseList(text)
            _ = try? CommandPatterns(ConfigValueParser.list(text))
            _ = try? DependencyTarget.parse(name: "fuzz", url: text)
        case .zoneInfo:
            SilenceParsers.zoneInfo(bytes)
        case .silenceRequest:
            SilenceParsers.request(bytes)
        case .chatUpdate:
            ChatParsers.updates(bytes)
        case .dockerEvents:
            ContainerEventParsers.stream(bytes)
        }
    }
}
