import Foundation

/// Apprise (PyPI `apprise`), the independent client the channel stand-ins are checked
/// with (SPEC §5.1): it sends to a stand-in as it sends to the real service, so a
/// stand-in shaped by our own client would show. scripts/test.sh installs it.
public enum Apprise {
    public static let available = python3Imports("apprise")
    /// Set by scripts/test.sh: a missing Apprise is then a failure, never a silent skip.
    public static let required = ProcessInfo.processInfo.environment["WATCHDOG_TEST_REQUIRE_PEERS"] == "1"

    public struct Run: Sendable {
        public let status: Int32
        public let output: String
    }

    /// Sends one notification to `url` with Apprise. `endpoints` points a plugin's fixed
    /// service URL at a stand-in: `["NotifyDiscord.notify_url": "http://127.0.0.1:…/api/webhooks"]`
    /// (the class is looked up among Apprise's plugins). Exits 0 when Apprise says it sent.
    /// `setup`: Python run before sending, for a service URL kept elsewhere than on a
    /// class (PagerDuty's region table).
    public static func notify(
        url: String, title: String, body: String, endpoints: [String: String] = [:], setup: String = ""
    ) async throws -> Run {
        let script = """
            import json, sys, apprise, apprise.plugins, importlib, pkgutil
            request = json.load(sys.stdin)
            for target, value in request["endpoints"].items():
                name, attribute = target.split(".")
                for module in pkgutil.iter_modules(apprise.plugins.__path__):
                    loaded = importlib.import_module("apprise.plugins." + module.name)
                    if hasattr(loaded, name):
                        setattr(getattr(loaded, name), attribute, value)
                        break
                else:
                    sys.exit("no plugin class " + name)
            exec(request["setup"])
            client = apprise.Apprise()
            if not client.add(request["url"]):
                sys.exit("apprise does not take the URL")
            sys.exit(0 if client.notify(title=request["title"], body=request["body"]) else 1)
            """
        let request = try JSONSerialization.data(
            withJSONObject: ["url": url, "title": title, "body": body, "endpoints": endpoints, "setup": setup])
        return try await python(script, input: request)
    }

    /// Runs `script` with the python3 on PATH (the one scripts/test.sh installed Apprise
    /// into), `input` on its stdin.
    public static func python(_ script: String, input: Data) async throws -> Run {
        // One Python at a time: importing Apprise costs about a second of CPU, and a
        // burst of them while every suite starts would starve the in-process stand-ins.
        await turns.take()
        defer { Task { await turns.give() } }
        let folder = try TemporaryDirectory()
        let inputFile = try folder.write("input.json", String(decoding: input, as: UTF8.self))
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let result = try await RealDocker.shell(
            ["/bin/sh", "-c", "exec python3 -c \"$0\" < \"$1\"", script, inputFile], environment: environment)
        return Run(status: result.status, output: result.stdout + result.stderr)
    }
}

/// Whether the python3 on PATH can import `module` (a PyPI peer scripts/test.sh installs).
public func python3Imports(_ module: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import \(module)"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// Turns taken one at a time, in order of asking.
actor Turns {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func take() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func give() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

extension Apprise {
    static let turns = Turns()
}
