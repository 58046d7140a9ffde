import Foundation
import TestSupport
import Testing

/// Routes (SPEC §4.3) through the real binary: two JSON channels whose routes split the
/// day, a critical alert taken by whichever window covers the fire, and a warning no
/// route takes arriving at both (the fall-through).
@Suite(.serialized)
struct RouteProcessTests {
    /// `HH:MM` of a minute of the UTC day, wrapped.
    static func hhmm(_ minutes: Int) -> String {
        String(format: "%02d:%02d", (minutes + 2_880) % 1_440 / 60, (minutes + 2_880) % 60)
    }

    /// Runs the watchdog until both the critical and the warning fire were posted, and
    /// returns the paths each alert name was posted to.
    func run(coveringNow: String, other: String) async throws -> [String: Set<String>] {
        let receiver = try await StubHTTPServer.start { _ in .text(200, "ok") }
        defer { Task { await receiver.stop() } }
        let dependency = try await ToggledDependency { _ in false }
        defer { Task { await dependency.server.stop() } }
        let minute = Int(Date().timeIntervalSince1970) % 86_400 / 60
        // A window from an hour ago to two hours on covers the whole run; the other
        // window is the rest of the day.
        let now = "daily \(Self.hhmm(minute - 60))-\(Self.hhmm(minute + 120)) UTC severity=critical"
        let rest = "daily \(Self.hhmm(minute + 120))-\(Self.hhmm(minute - 60)) UTC severity=critical"
        let environment = [
            "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_MEM_PCT": "0",
            "WATCHDOG_DISK_PCT": "100",
            "WATCHDOG_DEPS": "api=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
            "WATCHDOG_NOTIFY_DAY": "json://127.0.0.1:\(receiver.port)/day",
            "WATCHDOG_NOTIFY_NIGHT": "json://127.0.0.1:\(receiver.port)/night",
            "WATCHDOG_ROUTE_\(coveringNow)": now, "WATCHDOG_ROUTE_\(other)": rest,
        ]
        let watchdog = try WatchdogProcess.start(["run"], environment: environment)
        defer { watchdog.kill() }
        func postedTo() -> [String: Set<String>] {
            var paths: [String: Set<String>] = [:]
            for request in receiver.requests {
                for name in ["dependency_down", "host_memory"]
                where request.bodyText.contains("\"alertname\":\"\(name)\"") {
                    paths[name, default: []].insert(request.uri)
                }
            }
            return paths
        }
        #expect(
            await eventually(timeout: .seconds(30)) {
                postedTo()["host_memory"]?.count == 2 && postedTo()["dependency_down"] != nil
            })
        // A few more ticks: nothing else arrives where it does not belong.
        let ticks = watchdog.stderr.components(separatedBy: "tick done").count - 1
        try await watchdog.waitForStderr(occurrences: ticks + 2, of: "tick done", timeout: 30)
        watchdog.terminate()
        _ = try await watchdog.wait(timeout: 10)
        return postedTo()
    }

    @Test func aDayAlertAndANightAlertGoToDifferentChannelsAndAnUnroutedOneStillArrives() async throws {
        let day = try await run(coveringNow: "DAY", other: "NIGHT")
        #expect(day["dependency_down"] == ["/day"])
        #expect(day["host_memory"] == ["/day", "/night"])
        let night = try await run(coveringNow: "NIGHT", other: "DAY")
        #expect(night["dependency_down"] == ["/night"])
        #expect(night["host_memory"] == ["/day", "/night"])
    }
}
