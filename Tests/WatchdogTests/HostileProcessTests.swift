import Foundation
import TestSupport
import Testing

@testable import Watchdog

/// The hostile inputs of `HostileInputTests` through the built binary.
@Suite(.serialized) struct HostileProcessTests {
    /// A state file whose saved `failed` baseline is Int64.min: with a sane envelope the
    /// next fetch's delta overflowed and trapped, at every restart again (a crash loop
    /// under `restart: unless-stopped`). Now every start announces the growth once.
    @Test func aStateFileWithAnExtremeFailedBaselineNeitherCrashesNorLoops() async throws {
        let standIn = try await OrchestratorStandIn.start([envelope(generatedAt: Date(), failed: 5)])
        defer { Task { await standIn.server.stop() } }
        let directory = try TemporaryDirectory()
        let path = directory.path + "/state.json"
        let memory = try JSONEncoder().encode(OrchestratorSource.Memory(failedBaseline: Int.min))
        let state = PersistedState(
            savedAt: Date(), engine: EngineState(samples: ["orchestrator": memory]), outboxes: [:])
        try StateFile(path: path).write(StateFile.encode(state))

        // The stand-in answers from this test process, slow when the whole suite runs.
        let environment = [
            "WATCHDOG_STATE_FILE": path, "WATCHDOG_ORCH_METRICS_URL": standIn.url, "WATCHDOG_HTTP_TIMEOUT": "30s",
            "WATCHDOG_COLLECT_TIMEOUT": "60s",
        ]
        let first = try await WatchdogProcess.run(["once"], environment: environment)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.contains("job_failed"))
        #expect(first.stdout.contains("\(Int.max) more failed (5 in total)"))
        // The baseline is sane now: the next start has nothing to announce, and no trap.
        let second = try await WatchdogProcess.run(["once"], environment: environment)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(!second.stdout.contains("job_failed"))
    }

    /// SIGHUP killed the process. Now it re-reads the `.env` file: an invalid one is
    /// logged naming the variable and the running configuration stays; a valid one is
    /// applied with every state kept, so a firing alert is not announced again, even
    /// without a state file.
    @Test func sighupReloadsTheEnvFileKeepingStateAndSurvivesABadOne() async throws {
        let directory = try TemporaryDirectory()
        let envFile = try directory.write("watchdog.env", "WATCHDOG_MEM_PCT=1\nWATCHDOG_INSTANCE=before\n")
        let process = try WatchdogProcess.start(
            ["run"],
            environment: ["WATCHDOG_ENV_FILE": envFile, "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug"])
        try await process.waitForStderr(occurrences: 2, of: "tick done", timeout: 20)

        _ = try directory.write("watchdog.env", "WATCHDOG_MEM_PCT=lots\nWATCHDOG_INSTANCE=broken\n")
        process.signal(SIGHUP)
        try await process.waitForStderr(occurrences: 1, of: "new configuration is invalid", timeout: 20)
        #expect(process.stderr.contains("WATCHDOG_MEM_PCT"))
        let ticksBefore = process.stderr.components(separatedBy: "tick done").count - 1
        try await process.waitForStderr(occurrences: ticksBefore + 1, of: "tick done", timeout: 20)
        #expect(process.isRunning)

        _ = try directory.write("watchdog.env", "WATCHDOG_MEM_PCT=1\nWATCHDOG_INSTANCE=after\n")
        process.signal(SIGHUP)
        try await process.waitForStderr(occurrences: 1, of: "configuration reloaded", timeout: 20)
        try await process.waitForStderr(occurrences: 1, of: "instance=after", timeout: 20)
        let ticksAfter = process.stderr.components(separatedBy: "tick done").count - 1
        try await process.waitForStderr(occurrences: ticksAfter + 2, of: "tick done", timeout: 20)

        process.terminate()
        let result = try await process.wait(timeout: 10)
        #expect(result.status == 0)
        let fires = result.stdout.split(separator: "\n").filter { $0.contains("host_memory") }
        #expect(fires.count == 1, "stdout: \(result.stdout)")
        #expect(fires.first?.contains("before") == true)
        #expect(!result.stderr.contains("instance=broken"))
    }
}
