import Foundation
import TestSupport
import Testing

@testable import Watchdog

/// SPEC §12, *Time*, through the built binary: its wall clock steps 2 h forward, then
/// 1 h back, while it runs (a shim preloaded into it, `WallShift/wallshift.c`, moves
/// every reading of the wall clock and leaves the monotonic clocks alone, as an NTP step
/// does). A firing alert does not repeat early, a heartbeat pinged all along neither
/// fires nor resolves, and the ticks go on once a second, neither stalled nor in a burst.
@Suite(.serialized) struct WallClockProcessTests {
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("WallShift/wallshift.c").path

    /// A C compiler: the toolchain's clang next to `swift`, else the system's.
    static var compiler: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/clang" } + ["/usr/bin/cc", "/usr/bin/clang"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func stepsOfTheWallClockChangeNoAlertAndNeitherStallNorBurstTheTicks() async throws {
        let directory = try TemporaryDirectory()
        let compiler = try #require(Self.compiler, "no C compiler to build the wall clock shim")
        let library = directory.path + "/libwallshift.so"
        let built = try await RealDocker.shell([compiler, "-shared", "-fPIC", "-O2", "-o", library, Self.source])
        try #require(built.status == 0, "\(built.stderr)")
        let offsetFile = try directory.write("offset", "0")
        let port = try freeLocalPort()
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: [
                "LD_PRELOAD": library, "WALLSHIFT_FILE": offsetFile,
                "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_LISTEN": "127.0.0.1:\(port)",
                // host_memory fires at once and would repeat after the cooldown.
                "WATCHDOG_MEM_PCT": "1", "WATCHDOG_DISK_PCT": "100", "WATCHDOG_COOLDOWN": "1h",
                "WATCHDOG_HEARTBEATS": "agent=5s", "WATCHDOG_FLAP": "3/1h",
            ])
        let pinging = Task {
            while !Task.isCancelled {
                _ = try? await fetch("http://127.0.0.1:\(port)/ping/agent")
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { pinging.cancel() }

        func ticks() -> Int { watchdog.stderr.components(separatedBy: "tick done").count - 1 }
        /// Ticks done in the next `seconds`, after a moment for a step to be seen.
        func ticksDuring(seconds: Int) async throws -> Int {
            let before = ticks()
            try await Task.sleep(for: .seconds(seconds))
            return ticks() - before
        }

        try await watchdog.waitForStderr(occurrences: 3, of: "tick done", timeout: 30)
        let steady = try await ticksDuring(seconds: 4)
        _ = try directory.write("offset", "7200")
        try await watchdog.waitForStderr(occurrences: 1, of: "the wall clock stepped", timeout: 10)
        let afterForward = try await ticksDuring(seconds: 4)
        // From 2 h ahead to 1 h ahead: a step of 1 h back.
        _ = try directory.write("offset", "3600")
        try await watchdog.waitForStderr(occurrences: 2, of: "the wall clock stepped", timeout: 10)
        let afterBack = try await ticksDuring(seconds: 4)
        // A window that passed without a ping still fires after the steps: the pings stop.
        pinging.cancel()
        try await watchdog.waitForStderr(occurrences: 1, of: "key=heartbeat_missed:agent", timeout: 20)

        watchdog.terminate()
        let result = try await watchdog.wait(timeout: 10)
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let lines = result.stdout.split(separator: "\n")
        let memoryLines = lines.filter { $0.contains("host_memory") }
        #expect(memoryLines.count == 1, "\(memoryLines)")
        let heartbeatLines = lines.filter { $0.contains("heartbeat_missed") }
        // One fire, after the pings stopped; nothing while they came.
        #expect(heartbeatLines.count == 1, "\(heartbeatLines)")
        // The steps as logged (to the millisecond): the two clocks are read a moment apart,
        // which under load can be a millisecond or so, so within a second of the offsets.
        let steps = result.stderr.components(separatedBy: "step_s=").dropFirst().compactMap {
            Double($0.prefix { !$0.isWhitespace && $0 != "\"" && $0 != "," })
        }
        #expect(steps.contains { abs($0 - 7_200) < 1 } && steps.contains { abs($0 + 3_600) < 1 }, "\(steps)")
        // Once a second all along: 4 s hold 3 to 5 ticks whatever the wall clock did.
        for count in [steady, afterForward, afterBack] {
            #expect((3...5).contains(count), "ticks in 4 s: \(steady), \(afterForward), \(afterBack)")
        }
    }
}
