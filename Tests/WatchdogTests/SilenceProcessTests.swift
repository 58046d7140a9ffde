import Foundation
import Synchronization
import TestSupport
import Testing

/// SPEC §4, §4.1 and §7 through the real binary, a Telegram stand-in, a dependency that
/// a test turns up and down, and the real `amtool` (Debian `prometheus-alertmanager`).
/// One at a time: each runs a watchdog for a minute or more, and three at once would
/// crowd the start of the suite on a two-core machine.
@Suite(.serialized, .enabled(if: Amtool.binary != nil || Amtool.required))
struct SilenceProcessTests {
    static let botToken = "777:SILENCE-test-token"
    static let apiToken = "api-SECRET-4f1c2b"

    func environment(telegram: TelegramStandIn, dependency: ToggledDependency, port: Int, state: String) -> [String:
        String]
    {
        [
            "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_STATE_FILE": state,
            "WATCHDOG_LISTEN": "127.0.0.1:\(port)", "WATCHDOG_API_TOKEN": Self.apiToken,
            "WATCHDOG_MEM_PCT": "100", "WATCHDOG_DISK_PCT": "100",
            "WATCHDOG_DEPS": "api=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
            "WATCHDOG_TELEGRAM_BOT_TOKEN": Self.botToken, "WATCHDOG_TELEGRAM_CHAT_ID": "4242",
            "WATCHDOG_TELEGRAM_API_URL": telegram.baseURL,
        ]
    }

    func dependencyMessages(_ telegram: TelegramStandIn) -> [TelegramStandIn.Message] {
        telegram.accepted.filter { $0.text.contains("dependency_down:api") }
    }

    /// The issue's first case: a silence made with `amtool` holds the fire, `amtool alert
    /// query` shows it suppressed, expiring it with `amtool` announces the fire once; a
    /// later silence does not hide the resolve. Writes without the token change nothing.
    @Test func amtoolSilencesHoldAFireExpiringAnnouncesItOnceAndResolvesStillArrive() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let down = Flag()
        let dependency = try await ToggledDependency { _ in !down.isSet }
        let directory = try TemporaryDirectory()
        let port = try freeLocalPort()
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: environment(
                telegram: telegram, dependency: dependency, port: port, state: directory.path + "/state.json"))
        defer { watchdog.kill() }
        try await watchdog.waitForStderr(occurrences: 1, of: "http endpoint listening", timeout: 30)
        let amtool = try Amtool(port: port, token: Self.apiToken, directory: directory)

        // Writes without the token, or with a wrong one, change nothing.
        let anonymous = try await amtool.run(["silence", "add", "alertname=dependency_down", "-c", "x"], token: .none)
        let wrong = try await amtool.run(["silence", "add", "alertname=dependency_down", "-c", "x"], token: .wrong)
        #expect(anonymous.status != 0 && wrong.status != 0)
        #expect(anonymous.output.contains("401") && wrong.output.contains("401"))

        let added = try await amtool.run([
            "silence", "add", "alertname=dependency_down", "--duration=1h", "--comment=deploy", "--author=alice",
        ])
        #expect(added.status == 0, "\(added.output)")
        let id = added.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 36)
        let expireWithoutToken = try await amtool.run(["silence", "expire", id], token: .none)
        #expect(expireWithoutToken.status != 0)
        let query = try await amtool.run(["silence", "query", "-q"])
        #expect(query.output.split(separator: "\n") == [Substring(id)])

        // The dependency goes down: decided, held, shown as suppressed.
        down.set(true)
        try await watchdog.waitForStderr(
            occurrences: 1, of: "alert transition action=fire key=dependency_down:api sent=false", timeout: 30)
        let suppressed = try await amtool.run(["alert", "query", "--silenced"])
        #expect(suppressed.output.contains("dependency_down") && suppressed.output.contains("suppressed"))
        let activeOnly = try await amtool.run(["alert", "query"])
        #expect(!activeOnly.output.contains("dependency_down"))
        try await watchdog.waitForStderr(occurrences: 3, of: "tick done", timeout: 30)
        #expect(dependencyMessages(telegram).isEmpty)

        // Expired with amtool: the fire is announced once, saying since when.
        let expired = try await amtool.run(["silence", "expire", id])
        #expect(expired.status == 0, "\(expired.output)")
        #expect(await eventually(timeout: .seconds(30)) { dependencyMessages(telegram).count == 1 })
        let fire = try #require(dependencyMessages(telegram).first)
        #expect(fire.text.contains("FIRING") && fire.text.contains("held by a silence until now"))
        let ticksSoFar = watchdog.stderr.components(separatedBy: "tick done").count - 1
        try await watchdog.waitForStderr(occurrences: ticksSoFar + 3, of: "tick done", timeout: 30)
        #expect(dependencyMessages(telegram).count == 1)
        let nowActive = try await amtool.run(["alert", "query"])
        #expect(nowActive.output.contains("dependency_down") && nowActive.output.contains("active"))

        // Silenced again, the announced problem's resolve still arrives, without sound.
        let again = try await amtool.run(["silence", "add", "key=dependency_down:api", "-c", "again", "-a", "bob"])
        #expect(again.status == 0)
        down.set(false)
        #expect(await eventually(timeout: .seconds(30)) { dependencyMessages(telegram).count == 2 })
        let resolve = try #require(dependencyMessages(telegram).last)
        #expect(resolve.text.contains("RESOLVED") && resolve.silent)

        watchdog.terminate()
        let result = try await watchdog.wait(timeout: 10)
        #expect(!(result.stdout + result.stderr).contains(Self.apiToken))
        #expect(!(result.stdout + result.stderr).contains(Self.botToken))
    }

    /// A maintenance window covering now holds a fire; its end announces it once.
    @Test func aMaintenanceWindowHoldsAFireAndItsEndAnnouncesItOnce() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let dependency = try await ToggledDependency { _ in false }
        let directory = try TemporaryDirectory()
        let port = try freeLocalPort()
        // From the last minute to a minute that is at least 20 s away.
        let now = Int(Date().timeIntervalSince1970)
        let minuteOfDay = now % 86_400 / 60
        let end = (minuteOfDay + (now % 60 < 40 ? 1 : 2)) % 1_440
        func hhmm(_ minutes: Int) -> String {
            String(format: "%02d:%02d", (minutes + 1_440) % 1_440 / 60, (minutes + 1_440) % 60)
        }
        var environment = environment(
            telegram: telegram, dependency: dependency, port: port, state: directory.path + "/state.json")
        environment["WATCHDOG_MAINTENANCE"] = "daily \(hhmm(minuteOfDay - 1))-\(hhmm(end)) UTC dependency_down"
        let watchdog = try WatchdogProcess.start(["run"], environment: environment)
        defer { watchdog.kill() }
        try await watchdog.waitForStderr(
            occurrences: 1, of: "alert transition action=fire key=dependency_down:api sent=false", timeout: 30)
        let listed = try await fetch("http://127.0.0.1:\(port)/api/v2/silences")
        #expect(listed.body.contains(#""id":"maintenance-1""#) && listed.body.contains(#""state":"active""#))
        #expect(dependencyMessages(telegram).isEmpty)

        #expect(await eventually(timeout: .seconds(150)) { dependencyMessages(telegram).count == 1 })
        #expect(dependencyMessages(telegram).first?.text.contains("held by a silence until now") == true)
        let ticksSoFar = watchdog.stderr.components(separatedBy: "tick done").count - 1
        try await watchdog.waitForStderr(occurrences: ticksSoFar + 3, of: "tick done", timeout: 30)
        #expect(dependencyMessages(telegram).count == 1)
        watchdog.terminate()
        _ = try await watchdog.wait(timeout: 10)
    }

    /// `WATCHDOG_FLAP=4/1m` and a key that changes every two ticks: three transitions and
    /// one flapping message, then one settled message once it is stable for a minute.
    @Test func aKeyTogglingEveryTwoTicksFlapsThenSettles() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        // Probes 1–2 down, 3–4 up, … until probe 12; healthy from then on.
        let dependency = try await ToggledDependency { probe in probe > 12 || (probe - 1) / 2 % 2 == 1 }
        let directory = try TemporaryDirectory()
        var environment = environment(
            telegram: telegram, dependency: dependency, port: try freeLocalPort(),
            state: directory.path + "/state.json")
        environment["WATCHDOG_FLAP"] = "4/1m"
        let watchdog = try WatchdogProcess.start(["run"], environment: environment)
        defer { watchdog.kill() }

        try await watchdog.waitForStderr(
            occurrences: 1, of: "alert transition action=flapping key=dependency_down:api", timeout: 30)
        #expect(await eventually(timeout: .seconds(10)) { dependencyMessages(telegram).count == 4 })
        try await watchdog.waitForStderr(
            occurrences: 1, of: "alert transition action=settled key=dependency_down:api", timeout: 120)
        #expect(await eventually(timeout: .seconds(10)) { dependencyMessages(telegram).count == 5 })
        let headlines = dependencyMessages(telegram).map { String($0.text.prefix(1)) }
        #expect(headlines == ["🔴", "🟢", "🔴", "🟠", "⚪"])
        #expect(dependencyMessages(telegram).last?.text.contains("stable again, resolved") == true)
        watchdog.terminate()
        _ = try await watchdog.wait(timeout: 10)
    }
}

/// A dependency whose health answer a test decides, per probe.
final class ToggledDependency: Sendable {
    let server: StubHTTPServer

    private final class Counter: Sendable {
        let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1
                return $0
            }
        }
    }

    init(healthy: @escaping @Sendable (_ probe: Int) -> Bool) async throws {
        let counter = Counter()
        server = try await StubHTTPServer.start { _ in
            healthy(counter.next()) ? .text(200, "ok") : .text(503, "down")
        }
    }

    var url: String { server.baseURL + "/health" }
}

/// A flag one task sets and another reads.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set(_ on: Bool) { value.withLock { $0 = on } }
    var isSet: Bool { value.withLock { $0 } }
}

/// The real `amtool`, pointed at a watchdog, with the bearer token in the file
/// `--http.config.file` names (as an operator's laptop would have it).
struct Amtool {
    static let binary: String? = ["/usr/bin/amtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Set by scripts/test.sh: a missing peer is then a failure, never a silent skip.
    static let required = ProcessInfo.processInfo.environment["WATCHDOG_TEST_REQUIRE_PEERS"] == "1"

    enum Token { case right, wrong, none }

    let url: String
    let rightConfig: String
    let wrongConfig: String

    init(port: Int, token: String, directory: TemporaryDirectory) throws {
        url = "http://127.0.0.1:\(port)"
        rightConfig = try directory.write(
            "amtool-http.yml", "authorization:\n  type: Bearer\n  credentials: \(token)\n")
        wrongConfig = try directory.write(
            "amtool-wrong.yml", "authorization:\n  type: Bearer\n  credentials: not-\(token)\n")
    }

    func run(_ arguments: [String], token: Token = .right) async throws -> (status: Int32, output: String) {
        guard let binary = Self.binary else {
            throw WatchdogProcess.Timeout(description: "amtool is not installed (scripts/test.sh installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var options = ["--alertmanager.url=\(url)"]
        switch token {
        case .right: options.append("--http.config.file=\(rightConfig)")
        case .wrong: options.append("--http.config.file=\(wrongConfig)")
        case .none: break
        }
        process.arguments = options + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        let (status, output) = try await process.runCollectingOutput(
            timeout: 30, mergingErrors: true, what: "amtool \(arguments.joined(separator: " "))")
        return (status, String(decoding: output, as: UTF8.self))
    }
}
