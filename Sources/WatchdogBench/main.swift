import Collectors
import Foundation
import Glibc
import Logging
import Synchronization
import Watchdog

/// Benchmarks of the watchdog's hot paths, run by `scripts/bench.sh`; not part of the
/// shipped binary.
///
///     watchdog-bench proc-scan ROOT ITERATIONS [PATTERN] [MIN_AGE_SECONDS]
///     watchdog-bench prom-parse FILE ITERATIONS
///     watchdog-bench envelope-parse FILE ITERATIONS
///
/// `proc-scan` scans ROOT (a real or synthetic /proc) ITERATIONS times after one warm-up
/// scan and prints one JSON line: processes scanned and matched, and per scan the median
/// wall time and the mean CPU time (user + system) in milliseconds.
///
/// `prom-parse` parses FILE (Prometheus text exposition) ITERATIONS times after one
/// warm-up and prints one JSON line: samples, bytes, median wall time per parse and
/// samples per second at that median.
///
/// `envelope-parse` parses FILE (an orchestrator JSON envelope) likewise and prints the
/// agents kept and listed, the median wall time and the peak resident memory (VmHWM).
///
///     watchdog-bench silences SILENCES KEYS ITERATIONS
///
/// `silences` evaluates one tick of KEYS firing keys against SILENCES silences from the
/// API (each an `alertname` and an `entity=~` regex matcher) and prints the median wall
/// time of a steady tick (every key firing and held) and of the tick in which they all
/// fire, each with the silences and without any.
///
///     watchdog-bench causes KEYS ITERATIONS
///
/// `causes` evaluates ticks of a compose project of KEYS containers that all depend on
/// one database, and all down with it (SPEC §4.2): the tick in which they fire (one
/// message naming the others) and a steady tick (all held), each against the same keys
/// with no compose graph (every key announced), and prints the medians in ms.
///
///     watchdog-bench status-page INCIDENTS ITERATIONS
///     watchdog-bench history-file INCIDENTS PATH
///
/// `status-page` answers `GET /` (SPEC §14) through the endpoint's routes with INCIDENTS
/// incidents of the last 30 days on 50 keys (some acknowledged, escalated, silenced)
/// and three keys firing, and prints the median time per answer in ms and its size.
/// `history-file` writes the same incidents as an incident log at PATH, for the
/// end-to-end measurement over HTTP in `scripts/bench.sh`.
@main
struct WatchdogBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        if arguments.count == 4, arguments[1] == "prom-parse", let iterations = Int(arguments[3]), iterations > 0 {
            return try prometheusParse(path: arguments[2], iterations: iterations)
        }
        if arguments.count == 5, arguments[1] == "silences", let count = Int(arguments[2]),
            let keys = Int(arguments[3]), let iterations = Int(arguments[4]), iterations > 0
        {
            return try silences(count: count, keys: keys, iterations: iterations)
        }
        if arguments.count == 4, arguments[1] == "causes", let keys = Int(arguments[2]), keys > 1,
            let iterations = Int(arguments[3]), iterations > 0
        {
            return causes(keys: keys, iterations: iterations)
        }
        if arguments.count == 4, arguments[1] == "status-page", let count = Int(arguments[2]), count >= 0,
            let iterations = Int(arguments[3]), iterations > 0
        {
            return statusPage(incidents: count, iterations: iterations)
        }
        if arguments.count == 4, arguments[1] == "history-file", let count = Int(arguments[2]), count >= 0 {
            return historyFile(incidents: count, path: arguments[3])
        }
        if arguments.count == 4, arguments[1] == "envelope-parse", let iterations = Int(arguments[3]), iterations > 0 {
            return try envelopeParse(path: arguments[2], iterations: iterations)
        }
        guard arguments.count >= 4, arguments[1] == "proc-scan", let iterations = Int(arguments[3]), iterations > 0
        else {
            FileHandle.standardError.write(
                Data(
                    ("usage: watchdog-bench proc-scan ROOT ITERATIONS [PATTERN] [MIN_AGE_SECONDS]\n"
                        + "       watchdog-bench prom-parse FILE ITERATIONS\n"
                        + "       watchdog-bench envelope-parse FILE ITERATIONS\n"
                        + "       watchdog-bench silences SILENCES KEYS ITERATIONS\n"
                        + "       watchdog-bench causes KEYS ITERATIONS\n"
                        + "       watchdog-bench status-page INCIDENTS ITERATIONS\n"
                        + "       watchdog-bench history-file INCIDENTS PATH\n").utf8))
            exit(2)
        }
        let scanner = ProcessScanner(root: arguments[2])
        let patterns = try CommandPatterns([arguments.count > 4 ? arguments[4] : "pytest"])
        let minimumAge = Duration.seconds(arguments.count > 5 ? Double(arguments[5]) ?? 0 : 0)

        // Every file read each scan (the first scan of a process table), then as
        // `watchdog run` scans: a known process's stat read once every 10 scans, its
        // command line once.
        var scan = try scanner.scan(patterns: patterns, minimumAge: minimumAge, now: Date())
        func measure(_ body: () throws -> Void) rethrows -> (wallMedian: Double, cpuMean: Double) {
            var walls: [Double] = []
            let cpuBefore = cpuSeconds()
            for _ in 0..<iterations {
                let start = ContinuousClock.now
                try body()
                walls.append(milliseconds(start.duration(to: .now)))
            }
            walls.sort()
            return (walls[walls.count / 2], (cpuSeconds() - cpuBefore) * 1000 / Double(iterations))
        }
        let full = try measure { scan = try scanner.scan(patterns: patterns, minimumAge: minimumAge, now: Date()) }
        var seen = SeenProcesses()
        _ = try scanner.scan(patterns: patterns, minimumAge: minimumAge, now: Date(), seen: &seen)
        let incremental = try measure {
            scan = try scanner.scan(patterns: patterns, minimumAge: minimumAge, now: Date(), seen: &seen)
        }
        print(
            #"{"scanned":\#(scan.scanned),"skipped":\#(scan.skipped),"matched":\#(scan.matched.count),"#
                + #""wall_ms_median":\#(rounded(full.wallMedian)),"cpu_ms_mean":\#(rounded(full.cpuMean)),"#
                + #""incremental_wall_ms_median":\#(rounded(incremental.wallMedian)),"#
                + #""incremental_cpu_ms_mean":\#(rounded(incremental.cpuMean))}"#)
    }

    static func prometheusParse(path: String, iterations: Int) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var samples = try PrometheusText.parse(text)
        let median = try medianMilliseconds(iterations) { samples = try PrometheusText.parse(text) }
        print(
            #"{"samples":\#(samples.count),"bytes":\#(text.utf8.count),"wall_ms_median":\#(rounded(median)),"#
                + #""samples_per_second":\#(Int(Double(samples.count) / (median / 1000)))}"#)
    }

    static func envelopeParse(path: String, iterations: Int) throws {
        let body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var envelope = try OrchestratorEnvelope.parse(body)
        let median = try medianMilliseconds(iterations) { envelope = try OrchestratorEnvelope.parse(body) }
        let peak =
            (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?.split(separator: " ").dropFirst().first ?? "?"
        print(
            #"{"agents":\#(envelope.agents.count),"listed":\#(envelope.agentsListed),"bytes":\#(body.count),"#
                + #""wall_ms_median":\#(rounded(median)),"peak_kb":\#(peak)}"#)
    }

    static func silences(count: Int, keys: Int, iterations: Int) throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var book = SilenceBook()
        for index in 0..<count {
            let matchers = [
                try LabelMatcher(name: "alertname", op: .equal, value: "container_down"),
                try LabelMatcher(name: "entity", op: .matchesRegex, value: ".*-\(index)-[a-z]+(-[0-9]+)*"),
            ]
            try book.upsert(
                Silence(
                    id: "s\(index)", matchers: matchers, startsAt: now.addingTimeInterval(-60),
                    endsAt: now.addingTimeInterval(3600), createdBy: "bench", comment: "bench", origin: .api,
                    updatedAt: now), now: now)
        }
        let signals = (0..<keys).map { index in
            Signal(
                key: SignalKey(.containerDown, "worker-\(index)-abcdef-\(index)"), active: true, severity: .critical,
                title: "Container is down", detail: "exited with code 137")
        }
        let outcome = SourceOutcome(
            source: "docker", ownership: .families([.containerDown]), status: .ok, signals: signals)
        let settings = DecisionSettings(
            instance: "bench", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(1800), processCooldown: nil),
            texts: Texts(.en))
        func median(_ book: SilenceBook) -> Double {
            // Warm-up: every key fires; the measured ticks see them firing.
            let state = evaluateTick([outcome], state: EngineState(silences: book), now: now, settings: settings).state
            return medianMilliseconds(iterations) {
                _ = evaluateTick([outcome], state: state, now: now.addingTimeInterval(1), settings: settings)
            }
        }
        // The tick in which every key fires at once, each matched against every silence.
        func storm(_ book: SilenceBook) -> Double {
            medianMilliseconds(iterations) {
                _ = evaluateTick([outcome], state: EngineState(silences: book), now: now, settings: settings)
            }
        }
        print(
            #"{"silences":\#(count),"keys":\#(keys),"tick_ms_median":\#(rounded(median(book))),"#
                + #""tick_ms_median_without_silences":\#(rounded(median(SilenceBook()))),"#
                + #""all_fire_tick_ms_median":\#(rounded(storm(book))),"#
                + #""all_fire_tick_ms_median_without_silences":\#(rounded(storm(SilenceBook())))}"#)
    }

    static func causes(keys: Int, iterations: Int) {
        let now = Date()
        let names = ["shop-db-1"] + (1..<keys).map { "shop-service\($0)-1" }
        var places: [String: ContainerPlace] = [
            "shop-db-1": ContainerPlace(project: "shop", service: "db", names: ["shop-db-1", "db"])
        ]
        for index in 1..<keys {
            places["shop-service\(index)-1"] = ContainerPlace(
                project: "shop", service: "service\(index)", dependsOn: ["db"], names: ["service\(index)"])
        }
        let signals = names.map { name in
            Signal(
                key: SignalKey(.containerDown, name), active: true, severity: .critical, title: "Container is down",
                detail: "exited with code 137")
        }
        func outcome(graph: Bool) -> SourceOutcome {
            SourceOutcome(
                source: "docker", ownership: .families([.containerDown]), status: .ok, signals: signals,
                places: graph ? places : nil)
        }
        let settings = DecisionSettings(
            instance: "bench", collectorFailedAfter: 3,
            policies: .standard(cooldown: .seconds(1800), processCooldown: nil), texts: Texts(.en))
        func fire(graph: Bool) -> Double {
            medianMilliseconds(iterations) {
                _ = evaluateTick([outcome(graph: graph)], state: EngineState(), now: now, settings: settings)
            }
        }
        func steady(graph: Bool) -> Double {
            let state = evaluateTick([outcome(graph: graph)], state: EngineState(), now: now, settings: settings).state
            return medianMilliseconds(iterations) {
                _ = evaluateTick(
                    [outcome(graph: graph)], state: state, now: now.addingTimeInterval(1), settings: settings)
            }
        }
        let held = evaluateTick([outcome(graph: true)], state: EngineState(), now: now, settings: settings)
        print(
            #"{"keys":\#(keys),"messages_with_graph":\#(held.notifications.count),"#
                + #""fire_tick_ms_median":\#(rounded(fire(graph: true))),"#
                + #""fire_tick_ms_median_without_graph":\#(rounded(fire(graph: false))),"#
                + #""steady_tick_ms_median":\#(rounded(steady(graph: true))),"#
                + #""steady_tick_ms_median_without_graph":\#(rounded(steady(graph: false)))}"#)
    }

    /// `count` incidents over the 30 days before `now` on 50 keys, the same every run: a
    /// third acknowledged, one in ten escalated, one in ten silenced, the last few open.
    static func syntheticIncidents(_ count: Int, now: Date) -> [Incident] {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(max(1, bound)))
        }
        let keys = (0..<50).map { $0 % 3 == 0 ? "container_down:shop-svc-\($0)" : "disk_full:/data\($0)" }
        return (0..<count).map { index in
            let key = keys[next(keys.count)]
            let started = now.addingTimeInterval(-Double(next(30 * 86_400)) - 60)
            let lasted = Double(30 + next(4 * 3_600))
            let resolved = started.addingTimeInterval(lasted)
            let acknowledged = next(3) == 0
            return Incident(
                id: "bench-\(index)", event: .resolved, at: resolved, key: key,
                family: String(key.prefix { $0 != ":" }), entity: String(key.drop { $0 != ":" }.dropFirst()),
                severity: next(2) == 0 ? .critical : .warning, title: "Synthetic problem <\(index)>",
                startedAt: started, resolvedAt: resolved < now ? resolved : nil,
                acknowledgedBy: acknowledged ? "@alice" : nil,
                acknowledgedAt: acknowledged ? started.addingTimeInterval(min(lasted, 120)) : nil,
                acknowledgedVia: acknowledged ? "telegram" : nil, silencedBy: next(10) == 0 ? ["mute-1"] : [],
                escalatedTo: next(10) == 0 ? ["oncall"] : [], announced: true, channels: ["telegram"])
        }
    }

    static func statusPage(incidents count: Int, iterations: Int) {
        let now = Date()
        let log = IncidentLog(path: nil, keep: 30 * 86_400, logger: Logger(label: "bench"))
        let status = WatchdogStatus(instance: "bench", history: log)
        var state = EngineState()
        for index in 0..<3 {
            let key = SignalKey(.containerDown, "shop-svc-\(index * 3)")
            state.alerts[key] = TrackedAlert(
                state: AlertState(firing: true, activeCount: 1, since: now.addingTimeInterval(-600), lastNotified: now),
                signal: Signal(key: key, active: true, severity: .critical, title: "Container is down", detail: ""),
                announced: true)
        }
        status.recordTick(finishedAt: .now, state: state)
        let endpoint = Endpoint(
            status: status, metrics: WatchdogMetrics(), heartbeats: nil, pingToken: nil, staleAfter: .seconds(90),
            channelStatistics: { [] }, wallClock: { now }, monotonicNow: { .now },
            statusPage: StatusPageSettings(language: .en, interval: .seconds(30)))
        let incidents = syntheticIncidents(count, now: now)
        let answer = Answerer(endpoint: endpoint, log: log)
        let bytes = answer.run(incidents, iterations: iterations)
        print(
            #"{"incidents":\#(count),"bytes":\#(bytes.bytes),"status":\#(bytes.status),"#
                + #""render_ms_median":\#(rounded(bytes.median))}"#)
    }

    static func historyFile(incidents count: Int, path: String) {
        let lines = syntheticIncidents(count, now: Date()).map { incident -> String in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            return String(decoding: (try? encoder.encode(incident)) ?? Data(), as: UTF8.self)
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Runs `body` `iterations` times; the median wall time of one run, in ms.
    static func medianMilliseconds(_ iterations: Int, _ body: () throws -> Void) rethrows -> Double {
        var walls: [Double] = []
        for _ in 0..<iterations {
            let start = ContinuousClock.now
            try body()
            walls.append(milliseconds(start.duration(to: .now)))
        }
        walls.sort()
        return walls[walls.count / 2]
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// Fills the log and times the endpoint's answers; async work driven from the
/// synchronous bench through a semaphore.
struct Answerer: Sendable {
    let endpoint: Endpoint
    let log: IncidentLog

    func run(_ incidents: [Incident], iterations: Int) -> (bytes: Int, status: Int, median: Double) {
        let result = Mutex<(Int, Int, Double)>((0, 0, 0))
        let done = DispatchSemaphore(value: 0)
        Task {
            await log.record(incidents, now: Date())
            var walls: [Double] = []
            var last: EndpointResponse?
            for _ in 0...iterations {
                let start = ContinuousClock.now
                last = await endpoint.respond(to: EndpointRequest(method: "GET", path: "/"))
                walls.append(WatchdogBench.milliseconds(start.duration(to: .now)))
            }
            walls.removeFirst()  // the warm-up
            walls.sort()
            let answer = (last?.body.utf8.count ?? 0, last?.status ?? 0, walls[walls.count / 2])
            result.withLock { $0 = answer }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }
}
