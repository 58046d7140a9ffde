import Foundation
import TestSupport
import Testing

/// Ack links (SPEC §4.3) through the real binary and the ntfy stand-in: the fire carries
/// an `http` action; opening the link acknowledges nothing; pressing it does, once; ntfy
/// hears who; the link survives a restart as "used", not as unknown; guessing is
/// rate-limited; the capability is never logged.
@Suite(.serialized)
struct AckLinkProcessTests {
    @Test func anNtfyActionAcknowledgesOnceAndTheLinkOutlivesARestartAsUsed() async throws {
        let ntfy = try await NtfyStandIn.start()
        defer { Task { await ntfy.stop() } }
        let dependency = try await ToggledDependency { _ in false }
        defer { Task { await dependency.server.stop() } }
        let directory = try TemporaryDirectory()
        let port = try freeLocalPort()
        let base = "http://127.0.0.1:\(port)"
        let environment = [
            "WATCHDOG_INTERVAL": "1s", "WATCHDOG_STATE_FILE": directory.path + "/s.json",
            "WATCHDOG_LISTEN": "127.0.0.1:\(port)", "WATCHDOG_PUBLIC_URL": base, "WATCHDOG_MEM_PCT": "100",
            "WATCHDOG_DISK_PCT": "100", "WATCHDOG_DEPS": "api=\(dependency.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
            "WATCHDOG_NOTIFY_PHONE": "ntfy://127.0.0.1:\(ntfy.server.port)/alerts",
        ]
        let first = try WatchdogProcess.start(["run"], environment: environment)
        defer { first.kill() }
        #expect(await eventually(timeout: .seconds(30)) { !ntfy.messages.isEmpty })
        let action = try #require(ntfy.messages.first?.actions.first)
        #expect(action.action == "http" && action.method == "POST" && action.clear)
        #expect(action.url.hasPrefix(base + "/ack/"))

        let page = try await fetch(action.url)
        #expect(page.status == 200 && page.body.contains("<form method=\"post\""))
        #expect(try await fetch(base + "/alerts").body.contains("acknowledged_by") == false)

        let pressed = try await fetch(action.url, method: "POST")
        #expect(pressed.status == 200)
        #expect(try await fetch(base + "/alerts").body.contains(#""acknowledged_by":"Ack link""#))
        #expect(try await fetch(action.url, method: "POST").status == 410)
        #expect(await eventually(timeout: .seconds(30)) { ntfy.messages.count == 2 })
        #expect(ntfy.messages.last?.message.contains("acknowledged by Ack link (link)") == true)
        #expect(ntfy.messages.last?.actions.isEmpty == true)
        first.terminate()
        let firstRun = try await first.wait(timeout: 10)

        let second = try WatchdogProcess.start(["run"], environment: environment)
        defer { second.kill() }
        #expect(await eventually(timeout: .seconds(15)) { (try? await fetch(base + "/healthz").status) == 200 })
        // Issued before the restart and used: 410, not 404.
        #expect(try await fetch(action.url, method: "POST").status == 410)
        var statuses: [Int] = []
        for guess in 0..<12 {
            statuses.append(try await fetch(base + "/ack/guess\(guess).AAAA", method: "POST").status)
        }
        #expect(statuses.filter { $0 == 404 }.count == 9)
        #expect(statuses.suffix(2) == [429, 429])
        second.terminate()
        let secondRun = try await second.wait(timeout: 10)
        let capability = String(action.url.dropFirst((base + "/ack/").count))
        for run in [firstRun, secondRun] {
            #expect(!(run.stdout + run.stderr).contains(capability))
        }
    }
}
