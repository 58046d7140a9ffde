import Foundation
import TestSupport
import Testing

/// What scripts/test.sh prepared for the compose test.
enum ComposePreparation {
    static let environment = ProcessInfo.processInfo.environment
    static let binary = environment["WATCHDOG_TEST_RELEASE_BINARY"]
    static let baseImageTar = environment["WATCHDOG_TEST_BASE_IMAGE_TAR"]
    /// `docker compose` (v2) where the CLI has it, else Debian's `docker-compose` (v1).
    static let compose = ComposeCommand.words ?? ["/usr/bin/docker-compose"]
    static let done = binary != nil && baseImageTar != nil && RealDocker.available && ComposeCommand.words != nil
}

/// The shipped `Dockerfile` and `docker-compose.yml`, run for real: a private dockerd,
/// the runtime stage built on a Debian base made with debootstrap, the machine's compose
/// (`docker compose`, or Debian's `docker-compose`), an orchestrator stand-in serving an envelope, and the Telegram
/// stand-in on the host. scripts/test.sh prepares the release binary and the base image
/// (`WATCHDOG_TEST_RELEASE_BINARY`, `WATCHDOG_TEST_BASE_IMAGE_TAR`).
@Suite(.serialized, .enabled(if: ComposePreparation.done || RealDocker.required))
struct ComposeEndToEndTests {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let binary = ComposePreparation.binary
    static let baseImageTar = ComposePreparation.baseImageTar
    static let compose = ComposePreparation.compose
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The daemon's networks come from this pool, so the compose network's gateway (this
    /// machine's own address on that bridge, where the Telegram stand-in listens) is known
    /// before `up`. Only this test's own namespaces live there.
    static let addressPool = "base=172.30.0.0/16,size=24"
    static let gateway = "172.30.0.1"

    @Test func theShippedComposeFileAlertsAndRecoversThroughTelegram() async throws {
        guard let binary = Self.binary, let baseImageTar = Self.baseImageTar else {
            throw Failure(description: "run scripts/test.sh: it builds the release binary and the base image")
        }
        let docker = try await RealDocker.start(extraArguments: ["--default-address-pool", Self.addressPool])
        do {
            try await run(docker, binary: binary, baseImageTar: baseImageTar)
        } catch {
            print("dockerd log: \(docker.root)/dockerd.log")
            await docker.shutdown()
            throw error
        }
        await docker.shutdown()
    }

    func run(_ docker: RealDocker, binary: String, baseImageTar: String) async throws {
        // Images: the base, a builder image holding the binary, the shipped runtime stage.
        try check(await docker.run(["import", baseImageTar, "watchdog-e2e-base:bookworm"]), "import the base")
        // Stripped, as the Dockerfile's own build stage does.
        let builder = try TemporaryDirectory()
        try check(
            await docker.command(["/usr/bin/strip", "-o", builder.path + "/watchdog", binary]), "strip the binary")
        _ = try builder.write("Dockerfile", "FROM watchdog-e2e-base:bookworm\nCOPY watchdog /out/watchdog\n")
        try check(
            await docker.run(["build", "--network=none", "-q", "-t", "watchdog-e2e-builder", builder.path]),
            "build the builder image")
        try check(
            await docker.run([
                "build", "--network=none", "-q", "--target", "runtime",
                "--build-arg", "BUILDER_IMAGE=watchdog-e2e-builder",
                "-t", "watchdog:e2e", "-f", Self.packageRoot + "/Dockerfile", Self.packageRoot,
            ]), "build the runtime stage of the Dockerfile")
        let imageSize = try await docker.run(["image", "inspect", "-f", "{{.Size}}", "watchdog:e2e"]).stdout

        // The project: the shipped compose file as it is, an override that only swaps in
        // the orchestrator stand-in, and a .env with images, socket and chat settings.
        let project = try TemporaryDirectory()
        try FileManager.default.copyItem(
            atPath: Self.packageRoot + "/docker-compose.yml", toPath: project.path + "/docker-compose.yml")
        _ = try project.write("docker-compose.override.yml", Self.override)
        let telegramPort = try freeLocalPort()
        let token = "123456:e2e-s3cr3t-token"
        let socketGroup = try FileManager.default.attributesOfItem(atPath: docker.socket)[.groupOwnerAccountID] as? Int
        _ = try project.write(
            ".env",
            """
            ORCHESTRATOR_IMAGE=\(RealDocker.image)
            SIDECAR_IMAGE=watchdog:e2e
            DOCKER_SOCKET=\(docker.socket)
            DOCKER_GID=\(socketGroup ?? 0)
            WATCHDOG_TELEGRAM_BOT_TOKEN=\(token)
            WATCHDOG_TELEGRAM_CHAT_ID=-100123
            WATCHDOG_TELEGRAM_API_URL=http://\(Self.gateway):\(telegramPort)
            WATCHDOG_INTERVAL=1s
            WATCHDOG_ORCH_METRICS_URL=http://orchestrator:8080/metrics
            WATCHDOG_ORCH_DOWN_AFTER=2
            WATCHDOG_CONTAINER_GRACE=40s
            WATCHDOG_LOG_LEVEL=debug

            """)
        let name = "wde2e\(UUID().uuidString.prefix(6).lowercased())"
        let compose = Self.compose + ["--project-name", name, "--project-directory", project.path]
        try check(await docker.command(compose + ["config", "--quiet"], directory: project.path), "compose config")

        let upStarted = ContinuousClock.now
        try check(await docker.command(compose + ["up", "-d"], directory: project.path), "compose up")
        let upReturned = ContinuousClock.now - upStarted
        let watchdog = "\(name)_watchdog_1"
        let orchestrator = "\(name)_orchestrator_1"
        // The first completed tick, as the image's own healthcheck sees it.
        var firstTick: Duration?
        for _ in 0..<300 {
            if try await docker.run(["exec", watchdog, "/usr/local/bin/watchdog", "healthcheck"]).status == 0 {
                firstTick = ContinuousClock.now - upStarted
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(firstTick != nil, "no completed tick within 30 s of up")

        // The gateway address exists now (compose made the network): the stand-in can
        // listen on it. Anything sent before waits in the outbox and is retried.
        let telegram = try await TelegramStandIn.start(token: token, host: Self.gateway, port: telegramPort)
        do {
            // Three ticks with the stand-in listening, counted in the watchdog's own log.
            try await waitForTicks(3, of: watchdog, docker: docker, within: .seconds(60))
            #expect(telegram.accepted.isEmpty, "a healthy stack sends nothing: \(telegram.accepted.map(\.text))")

            // Stopped on request (its restart policy does not bring it back): after the
            // grace it is down, and says how it ended. (The grace also covers the image's
            // own healthcheck, whose first probe comes after 30 s.)
            try check(await docker.run(["stop", orchestrator]), "stop the orchestrator")
            try await waitFor(telegram, count: 2, within: .seconds(90))
            let fired = telegram.accepted.map(\.text)
            #expect(
                fired.contains {
                    $0.contains("FIRING") && $0.contains("Container \(orchestrator) is down")
                        && $0.contains("stopped on request")
                }, "\(fired)")
            #expect(fired.contains { $0.contains("FIRING") && $0.contains("Orchestrator metrics are unreachable") })

            try check(await docker.run(["start", orchestrator]), "start the orchestrator")
            try await waitFor(telegram, count: 4, within: .seconds(60))
            let resolved = telegram.accepted.dropFirst(2).map(\.text)
            #expect(resolved.contains { $0.contains("RESOLVED") && $0.contains("Container \(orchestrator) is down") })
            #expect(
                resolved.contains { $0.contains("RESOLVED") && $0.contains("Orchestrator metrics are unreachable") })
            #expect(telegram.accepted.allSatisfy { $0.chatID == "-100123" })
            // No WATCHDOG_INSTANCE: the label is the compose project and service, read
            // from the watchdog's own container, not its container id.
            #expect(
                telegram.accepted.allSatisfy { $0.text.contains("\(name)/watchdog") },
                "\(telegram.accepted.map(\.text))")

            // Measurements for the docs and the issue note (printed, never asserted).
            let pid = try await docker.run(["inspect", "-f", "{{.State.Pid}}", watchdog]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? "VmRSS: ?"
            print(
                "compose e2e: image \(imageSize.trimmingCharacters(in: .whitespacesAndNewlines)) bytes, "
                    + "stripped binary \((try? FileManager.default.attributesOfItem(atPath: builder.path + "/watchdog")[.size]) ?? "?") bytes, "
                    + "container \(rss.replacingOccurrences(of: "\t", with: " ")), "
                    + "up returned after \(upReturned), first completed tick \(firstTick.map { "\($0)" } ?? "?") after up"
            )

            for message in telegram.accepted { print("compose e2e: telegram: \(message.text)") }
            let logs = try await docker.run(["logs", watchdog])
            #expect(!(logs.stdout + logs.stderr).contains("e2e-s3cr3t"))
        } catch {
            await telegram.stop()
            throw error
        }
        await telegram.stop()

        // Nothing is left behind: no container, network or volume of the project.
        try check(await docker.command(compose + ["down", "-v"], directory: project.path), "compose down -v")
        let containers = try await docker.run([
            "ps", "-a", "--filter", "label=com.docker.compose.project=\(name)", "-q",
        ])
        #expect(containers.stdout.isEmpty)
        let networks = try await docker.run(["network", "ls", "--filter", "name=\(name)", "-q"])
        #expect(networks.stdout.isEmpty)
        let volumes = try await docker.run(["volume", "ls", "--filter", "name=\(name)", "-q"])
        #expect(volumes.stdout.isEmpty)
    }

    /// The orchestrator stand-in: busybox's httpd serving an envelope whose
    /// `generated_at` is rewritten every two seconds. (`$$` is compose's escaped `$`.)
    static let override = """
        services:
          orchestrator:
            command:
              - /bin/sh
              - -c
              - >-
                busybox mkdir -p /www;
                while true; do
                echo "{\\"schema_version\\":1,\\"generated_at\\":$$(busybox date +%s),\\"queue\\":{\\"counts\\":{\\"queued\\":0,\\"failed\\":0}},\\"agents\\":[]}" > /www/metrics.new;
                busybox mv /www/metrics.new /www/metrics;
                sleep 2;
                done &
                exec busybox httpd -f -p 8080 -h /www

        """

    func check(_ output: RealDocker.Output, _ step: String) throws {
        guard output.status == 0 else {
            throw Failure(description: "\(step) failed (\(output.status)): \(output.stderr.suffix(2000))")
        }
    }

    /// Returns once the container has logged `count` more completed ticks than when
    /// called; throws when they do not come within `limit`.
    func waitForTicks(_ count: Int, of container: String, docker: RealDocker, within limit: Duration) async throws {
        func ticksSoFar() async throws -> Int {
            let logs = try await docker.run(["logs", container])
            return (logs.stdout + logs.stderr).components(separatedBy: "tick done").count - 1
        }
        let wanted = try await ticksSoFar() + count
        let deadline = ContinuousClock.now + limit
        while try await ticksSoFar() < wanted {
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "\(container) did not complete \(count) ticks within \(limit)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    func waitFor(_ telegram: TelegramStandIn, count: Int, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while telegram.accepted.count < count {
            guard ContinuousClock.now < deadline else {
                throw Failure(
                    description: "\(count) Telegram messages expected, got \(telegram.accepted.map(\.text))")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
