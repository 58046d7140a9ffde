import Foundation
import TestSupport
import Testing
import Watchdog

/// The built `watchdog` binary, run as an operator runs it.
@Suite(.serialized) struct ProcessTests {
    @Test func aBadValueExitsWithStatus2AndNamesTheVariable() async throws {
        let result = try await WatchdogProcess.run(["check-config"], environment: ["WATCHDOG_INTERVAL": "abc"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("WATCHDOG_INTERVAL: invalid value \"abc\""))
        #expect(result.stdout.isEmpty)
    }

    @Test func versionPrintsTheVersion() async throws {
        let result = try await WatchdogProcess.run(["--version"], environment: [:])
        #expect(result.status == 0)
        #expect(result.stdout == "watchdog \(WatchdogVersion.current)\n")
    }

    /// The command line (CommandLineRequest): help anywhere, and every usage error is
    /// status 64 with the reason and the usage on stderr, before any configuration is read.
    @Test func theCommandLineHelpsAndRefusesWhatItDoesNotKnow() async throws {
        let help = try await WatchdogProcess.run(["--help"], environment: [:])
        #expect(help.status == 0)
        for name in ["run (default)", "once", "check-config", "test-notify", "healthcheck"] {
            #expect(help.stdout.contains("\n  \(name) "), "\(name)")
        }
        let topic = try await WatchdogProcess.run(["help", "test-notify"], environment: [:])
        #expect(topic.status == 0 && topic.stdout.contains("USAGE: watchdog test-notify [--channel <channel>]"))
        let short = try await WatchdogProcess.run(["once", "-h"], environment: [:])
        #expect(short.status == 0 && short.stdout.contains("--dry-run") && short.stdout.contains("--json"))
        let refusals: [([String], String)] = [
            (["bogus"], "Error: unknown subcommand 'bogus'"),
            (["help", "bogus"], "Error: unknown subcommand 'bogus'"),
            (["once", "--bogus"], "Error: unknown option '--bogus'\nUsage: watchdog once [--dry-run] [--json]"),
            (["once", "--json=yes"], "Error: '--json' takes no value"),
            (["once", "extra"], "Error: unexpected argument 'extra'"),
            (["test-notify", "--channel"], "Error: missing value for '--channel <channel>'"),
            (["check-config", "--channel", "x"], "Error: unknown option '--channel'"),
            (["run", "--harness-tick-interval"], "Error: missing value for '--harness-tick-interval <interval>'"),
            (["--version", "run"], "Error: unknown option '--version'"),
        ]
        for (arguments, message) in refusals {
            let result = try await WatchdogProcess.run(arguments, environment: ["WATCHDOG_INTERVAL": "abc"])
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
        // `--name=value` is `--name value`.
        let inline = try await WatchdogProcess.run(["test-notify", "--channel=nope"], environment: [:])
        #expect(inline.status == 2 && inline.stderr.contains("no channel \"nope\" is configured"))
    }

    @Test func runRefusesABadConfigurationTheSameWay() async throws {
        let result = try await WatchdogProcess.run(["run"], environment: ["WATCHDOG_MEM_PCT": "150"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("WATCHDOG_MEM_PCT"))
    }

    @Test func theHarnessTickIntervalIsCheckedAndHiddenFromHelp() async throws {
        let tooShort = try await WatchdogProcess.run(["run", "--harness-tick-interval", "5ms"], environment: [:])
        #expect(tooShort.status == 2)
        #expect(tooShort.stderr.contains("--harness-tick-interval: \"5ms\" is not a duration of at least 10ms"))
        let help = try await WatchdogProcess.run(["run", "--help"], environment: [:])
        #expect(!help.stdout.contains("harness"))
        // SPEC §2.1: operators keep the 1 s minimum.
        let operatorValue = try await WatchdogProcess.run(["check-config"], environment: ["WATCHDOG_INTERVAL": "100ms"])
        #expect(operatorValue.status == 2 && operatorValue.stderr.contains("WATCHDOG_INTERVAL"))
    }

    /// SPEC §4.1: `check-config` lists each window's next start and end; a bad entry is a
    /// start-up error naming the variable and the entry.
    @Test func checkConfigListsTheMaintenanceWindowsAndRefusesABadOne() async throws {
        let zoneInfo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("ZoneInfo/system").path
        let result = try await WatchdogProcess.run(
            ["check-config"],
            environment: [
                "WATCHDOG_MAINTENANCE":
                    "sat,sun 02:00-04:00 Europe/Berlin container_down:*; daily 00:00-24:00 host_memory",
                "TZDIR": zoneInfo,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("maintenance 1: sat,sun 02:00-04:00 Europe/Berlin container_down:*\n  next "))
        #expect(result.stdout.contains(" Europe/Berlin)"))
        #expect(result.stdout.contains("maintenance 2: daily 00:00-24:00 host_memory\n  now, until "))
        let bad = try await WatchdogProcess.run(
            ["check-config"], environment: ["WATCHDOG_MAINTENANCE": "sat 02:00-04:00 Europe/Nowhere host_memory"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("WATCHDOG_MAINTENANCE: entry 1 \"sat 02:00-04:00 Europe/Nowhere host_memory\""))
        #expect(bad.stderr.contains("unknown time zone \"Europe/Nowhere\""))
    }

    @Test func checkConfigPrintsTheEffectiveConfigurationWithSecretsRedacted() async throws {
        let result = try await WatchdogProcess.run(
            ["check-config"], environment: ["WATCHDOG_HEARTBEAT_URL": "https://hc.example/s3cr3t"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("WATCHDOG_HEARTBEAT_URL"))
        #expect(result.stdout.contains("<redacted>"))
        #expect(result.stdout.hasSuffix("configuration ok\n"))
        #expect(result.stderr.isEmpty)
        #expect(!(result.stdout + result.stderr).contains("s3cr3t"))
    }

    /// A typo is the first thing read, on stderr, and `check-config` fails on it with 1;
    /// `run` with the same environment only warns and runs.
    @Test func aTypoIsWarnedFirstOnStderrAndCheckConfigExitsWith1() async throws {
        let result = try await WatchdogProcess.run(["check-config"], environment: ["WATCHDOG_INTERVALL": "5"])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "warning: unknown variable WATCHDOG_INTERVALL; did you mean WATCHDOG_INTERVAL?\n"))
        #expect(!result.stdout.contains("did you mean"))
        #expect(result.stdout.contains("configuration valid, with 1 warning (on stderr, above)"))
        let once = try await WatchdogProcess.run(["once", "--dry-run"], environment: ["WATCHDOG_INTERVALL": "5"])
        #expect(once.status == 0)
        #expect(once.stderr.contains("did you mean WATCHDOG_INTERVAL?"))
    }

    /// SPEC §2: `.env` is read from the working directory, as compose and dotenv tools
    /// read it, and `check-config` names the file it read, or the one it looked for.
    @Test func checkConfigReadsDotEnvFromTheWorkingDirectoryAndNamesIt() async throws {
        let directory = try TemporaryDirectory()
        let none = try await WatchdogProcess.run(["check-config"], environment: [:], workingDirectory: directory.path)
        #expect(none.status == 0)
        #expect(none.stdout.hasPrefix("settings file: none (\(directory.path)/.env does not exist;"))
        #expect(none.stdout.contains("WATCHDOG_MEM_PCT") && none.stdout.contains("= 90  (default)"))

        // What the README says a user does: copy the shipped example and edit one line.
        let example = try String(contentsOfFile: Checkout.root + "/.env.example", encoding: .utf8)
        #expect(example.contains("\n# WATCHDOG_MEM_PCT=90\n"))
        _ = try directory.write(
            ".env", example.replacingOccurrences(of: "\n# WATCHDOG_MEM_PCT=90\n", with: "\nWATCHDOG_MEM_PCT=1\n"))
        let read = try await WatchdogProcess.run(["check-config"], environment: [:], workingDirectory: directory.path)
        #expect(read.status == 0)
        #expect(read.stdout.hasPrefix("settings file \(directory.path)/.env (read;"))
        let memory = read.stdout.split(separator: "\n").first { $0.hasPrefix("WATCHDOG_MEM_PCT ") }
        #expect(memory?.hasSuffix("= 1  (\(directory.path)/.env)") == true)
    }

    @Test func checkConfigSaysWhereEC2CallsGoAndNeverShowsAWSKeys() async throws {
        let result = try await WatchdogProcess.run(
            ["check-config"],
            environment: [
                "WATCHDOG_EC2_INSTANCE_IDS": "i-12345678", "WATCHDOG_EC2_CPU_PCT": "90",
                "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:1",
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "aws-s3cr3t",
                "AWS_SESSION_TOKEN": "session-s3cr3t",
            ])
        #expect(result.status == 0)
        #expect(
            result.stdout.contains(
                "EC2: region eu-west-1, endpoints http://127.0.0.1:1, https://monitoring.eu-west-1.amazonaws.com"))
        #expect(!(result.stdout + result.stderr).contains("s3cr3t"))
    }

    @Test func onceJsonPrintsOneValidDocumentWithReadingsSignalsAndDecisions() async throws {
        let result = try await WatchdogProcess.run(
            ["once", "--json", "--dry-run"], environment: ["WATCHDOG_MEM_PCT": "0"])
        #expect(result.status == 0)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["version"] as? Int == 1)
        let collectors = try #require(document["collectors"] as? [[String: Any]])
        #expect(collectors.map { $0["name"] as? String } == ["memory", "disk:/"])
        #expect(collectors.allSatisfy { $0["status"] as? String == "ok" })
        let memory = try #require(collectors[0]["reading"] as? [String: Any])
        #expect((memory["total_bytes"] as? Int ?? 0) > 0)
        let signals = try #require(document["signals"] as? [[String: Any]])
        #expect(signals.contains { $0["key"] as? String == "host_memory" && $0["active"] as? Bool == true })
        let decisions = try #require(document["decisions"] as? [[String: Any]])
        #expect(decisions.contains { $0["key"] as? String == "host_memory" && $0["action"] as? String == "fire" })
        let notifications = try #require(document["notifications"] as? [[String: Any]])
        #expect(notifications.count == 1)
    }

    @Test func onceWithoutDryRunSendsToTheConsoleOnStderrWhenJsonHoldsStdout() async throws {
        let result = try await WatchdogProcess.run(["once", "--json"], environment: ["WATCHDOG_MEM_PCT": "0"])
        #expect(result.status == 0)
        #expect(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) is [String: Any])
        #expect(result.stderr.contains("🔴 FIRING [warning] host_memory"))
    }

    @Test func aFullMemoryFiresOnceOnTheFirstTickAndNotAgainBeforeTheCooldown() async throws {
        let process = try WatchdogProcess.start(
            ["run"],
            environment: ["WATCHDOG_MEM_PCT": "1", "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug"])
        // Three ticks: the first fires, the next two must stay quiet.
        try await process.waitForStderr(occurrences: 3, of: "tick done", timeout: 20)
        process.terminate()
        let result = try await process.wait(timeout: 10)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("🔴 FIRING [warning] host_memory") == true)
    }

    @Test func sigtermDuringAHangingCollectorExitsWithStatus0WithinFiveSeconds() async throws {
        // A FIFO with no writer: opening it blocks in the kernel, like a dead NFS mount.
        let directory = try TemporaryDirectory()
        #expect(mkfifo(directory.path + "/meminfo", 0o600) == 0)
        defer { WatchdogProcess.unblockFIFO(directory.path + "/meminfo") }
        let process = try WatchdogProcess.start(
            ["run"],
            environment: [
                "WATCHDOG_PROC_ROOT": directory.path, "WATCHDOG_COLLECT_TIMEOUT": "60s",
                "WATCHDOG_LOG_LEVEL": "debug",
            ])
        // Signal handlers are installed before the tick service starts.
        try await process.waitForStderr(occurrences: 1, of: "tick started", timeout: 20)
        let sent = Date()
        process.terminate()
        let result = try await process.wait(timeout: 5)
        #expect(result.status == 0)
        #expect(Date().timeIntervalSince(sent) < 5)
        #expect(result.stderr.contains("tick loop stopped"))
    }
}

@Suite(.serialized) struct StateFileProcessTests {
    @Test func aCorruptStateFileIsSetAsideAndTheWatchdogRunsOn() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("state.json", "{ this is not json")
        let process = try WatchdogProcess.start(
            ["run"],
            environment: ["WATCHDOG_STATE_FILE": path, "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug"])
        try await process.waitForStderr(occurrences: 2, of: "tick done", timeout: 20)
        process.terminate()
        let result = try await process.wait(timeout: 10)
        #expect(result.status == 0)
        #expect(result.stderr.contains("error [watchdog] state file unusable, moved aside; starting fresh"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        // The state file, the one set aside, and the incident log beside them.
        #expect(files.count == 3)
        #expect(files.first == "state.json")
        #expect(files.contains { $0.hasPrefix("state.json.corrupt-") })
        #expect(files.contains("state.json.history.jsonl"))
        let fresh = try String(contentsOfFile: path, encoding: .utf8)
        #expect(fresh.contains("\"version\":1"))
    }

    @Test func aReadOnlyStateDirectoryIsLoggedAndAlertsStillGoOut() async throws {
        let directory = try ReadOnlyDirectory()
        defer { directory.remove() }
        let process = try WatchdogProcess.start(
            ["run"],
            environment: [
                "WATCHDOG_STATE_FILE": directory.path + "/state.json", "WATCHDOG_INTERVAL": "1s",
                "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_MEM_PCT": "0",
            ])
        try await process.waitForStderr(occurrences: 3, of: "tick done", timeout: 20)
        process.terminate()
        let result = try await process.wait(timeout: 10)
        #expect(result.status == 0)
        #expect(result.stderr.components(separatedBy: "cannot write the state file").count - 1 == 1)
        #expect(result.stdout.contains("🔴 FIRING [warning] host_memory"))
    }
}

@Suite(.serialized) struct HeartbeatURLProcessTests {
    @Test func everyCompletedTickPingsTheHeartbeatURL() async throws {
        let receiver = try await StubHTTPServer.start { _ in .text(200, "OK") }
        defer { Task { await receiver.stop() } }
        let process = try WatchdogProcess.start(
            ["run"],
            environment: [
                "WATCHDOG_HEARTBEAT_URL": receiver.baseURL + "/ping/8f1c-secret-uuid", "WATCHDOG_INTERVAL": "1s",
                "WATCHDOG_LOG_LEVEL": "debug",
            ])
        try await process.waitForStderr(occurrences: 3, of: "tick done", timeout: 20)
        #expect(await eventually { receiver.requests.count >= 3 })
        process.terminate()
        _ = try await process.wait(timeout: 10)
        #expect(receiver.requests.allSatisfy { $0.method == "GET" && $0.uri == "/ping/8f1c-secret-uuid" })
    }

    @Test func aHangingOrDeadHeartbeatServiceNeitherDelaysTicksNorLeaksItsURL() async throws {
        let hanging = try await StubHTTPServer.start { _ in .hangs }
        let process = try WatchdogProcess.start(
            ["run"],
            environment: [
                "WATCHDOG_HEARTBEAT_URL": hanging.baseURL + "/ping/8f1c-secret-uuid", "WATCHDOG_INTERVAL": "1s",
                "WATCHDOG_HTTP_TIMEOUT": "10s", "WATCHDOG_LOG_LEVEL": "debug",
            ])
        // Ticks go on while the first ping hangs; no second ping piles up behind it. The
        // first ping is awaited before counting ticks: at suite start this test process
        // may be slower to record the request than the watchdog is to tick.
        #expect(await eventually(timeout: .seconds(30)) { hanging.requests.count >= 1 })
        let ticksSoFar = process.stderr.components(separatedBy: "tick done").count - 1
        try await process.waitForStderr(occurrences: ticksSoFar + 3, of: "tick done", timeout: 20)
        #expect(hanging.requests.count == 1)
        await hanging.stop()
        process.terminate()
        let result = try await process.wait(timeout: 10)
        #expect(result.status == 0)

        let dead = try WatchdogProcess.start(
            ["run"],
            environment: [
                "WATCHDOG_HEARTBEAT_URL": "http://127.0.0.1:\(try freeLocalPort())/ping/8f1c-secret-uuid",
                "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug",
            ])
        try await dead.waitForStderr(occurrences: 1, of: "heartbeat ping failed", timeout: 20)
        dead.terminate()
        let failed = try await dead.wait(timeout: 10)
        #expect(!(failed.stdout + failed.stderr + result.stderr).contains("8f1c-secret-uuid"))
    }
}
