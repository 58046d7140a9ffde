import Foundation
import TestSupport
import Testing

/// SPEC §4.2 through the real binary: one message per root cause. A rule of
/// `WATCHDOG_INHIBIT` between two dependencies, and a cyclic rule refused at start. (The
/// database container and what depends on it, on a real dockerd, is below.)
@Suite(.serialized) struct CauseProcessTests {
    static let botToken = "888:CAUSES-test-token-2d9e"

    static func telegramEnvironment(_ telegram: TelegramStandIn) -> [String: String] {
        [
            "WATCHDOG_TELEGRAM_BOT_TOKEN": Self.botToken, "WATCHDOG_TELEGRAM_CHAT_ID": "4242",
            "WATCHDOG_TELEGRAM_API_URL": telegram.baseURL,
        ]
    }

    @Test func aRuleBetweenTwoDependenciesHoldsOneBehindTheOther() async throws {
        let telegram = try await TelegramStandIn.start(token: Self.botToken)
        defer { Task { await telegram.stop() } }
        let down = Flag()
        let gateway = try await ToggledDependency { _ in !down.isSet }
        defer { Task { await gateway.server.stop() } }
        let backend = try await ToggledDependency { _ in !down.isSet }
        defer { Task { await backend.server.stop() } }
        let directory = try TemporaryDirectory()
        let port = try freeLocalPort()
        let watchdog = try WatchdogProcess.start(
            ["run"],
            environment: [
                "WATCHDOG_INTERVAL": "1s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_MEM_PCT": "100",
                "WATCHDOG_DISK_PCT": "100", "WATCHDOG_STATE_FILE": directory.path + "/s.json",
                "WATCHDOG_LISTEN": "127.0.0.1:\(port)",
                "WATCHDOG_DEPS": "gateway=\(gateway.url),backend=\(backend.url)", "WATCHDOG_DEP_DOWN_AFTER": "1",
                "WATCHDOG_INHIBIT": "dependency_down:gateway -> alertname=dependency_down,entity=backend",
            ].merging(Self.telegramEnvironment(telegram)) { _, new in new })
        defer { watchdog.kill() }
        try await watchdog.waitForStderr(occurrences: 2, of: "tick done", timeout: 30)

        down.set(true)
        #expect(await eventually(timeout: .seconds(30)) { !telegram.accepted.isEmpty })
        try await watchdog.waitForStderr(occurrences: 1, of: "key=dependency_down:backend", timeout: 30)
        let base = "http://127.0.0.1:\(port)"
        // As Alertmanager shows a held alert, and the real amtool reads it.
        let alerts = try await fetch(base + "/api/v2/alerts")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(alerts.body.utf8)) as? [[String: Any]])
        let held = try #require(listed.first { ($0["labels"] as? [String: String])?["entity"] == "backend" })
        let status = try #require(held["status"] as? [String: Any])
        #expect(status["state"] as? String == "suppressed")
        #expect(status["inhibitedBy"] as? [String] == ["dependency_down:gateway"])
        #expect(try await fetch(base + "/alerts").body.contains(#""inhibited_by":["dependency_down:gateway"]"#))
        if Amtool.binary != nil || Amtool.required {
            let amtool = try Amtool(port: port, token: "unused", directory: directory)
            let active = try await amtool.run(["alert", "query"])
            #expect(active.output.contains("gateway") && !active.output.contains("backend"), "\(active.output)")
            let inhibited = try await amtool.run(["alert", "query", "--inhibited"])
            #expect(inhibited.output.contains("backend"), "\(inhibited.output)")
        }
        let metrics = try await fetch(base + "/metrics").body
        #expect(metrics.contains(#"watchdog_notifications_inhibited_total{family="dependency_down"} 1"#))

        let ticks = watchdog.stderr.components(separatedBy: "tick done").count - 1
        try await watchdog.waitForStderr(occurrences: ticks + 3, of: "tick done", timeout: 30)
        down.set(false)
        #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.count == 2 })
        let after = watchdog.stderr.components(separatedBy: "tick done").count - 1
        try await watchdog.waitForStderr(occurrences: after + 3, of: "tick done", timeout: 30)
        let texts = telegram.accepted.map(\.text)
        #expect(texts.count == 2, "\(texts)")
        #expect(texts.first?.contains("FIRING") == true && texts.first?.contains("also affected: backend") == true)
        #expect(texts.last?.contains("RESOLVED") == true && texts.last?.contains("recovered with it: backend") == true)
        watchdog.terminate()
        let result = try await watchdog.wait(timeout: 10)
        #expect(!(result.stdout + result.stderr).contains(Self.botToken))
    }

    @Test func aCyclicRuleIsRefusedAtStartNamingTheVariable() async throws {
        let result = try await WatchdogProcess.run(
            ["run"],
            environment: [
                "WATCHDOG_STATE_FILE": "", "WATCHDOG_LISTEN": "off",
                "WATCHDOG_INHIBIT": "dependency_down:db -> rule ; rule -> dependency_down",
            ], timeout: 30)
        #expect(result.status != 0)
        #expect(result.stderr.contains("WATCHDOG_INHIBIT") && result.stderr.contains("cycle"), "\(result.stderr)")
        #expect(result.stderr.contains("rule 1 (dependency_down:db -> rule)"))
    }
}

/// SPEC §4.2 with a private real dockerd: a database container that two compose services
/// and a probe depend on. In the suite of the other dockerd tests, which run one at a
/// time: a daemon less at once on a loaded machine.
extension ContainerEventsProcessTests {

    /// The daemon's networks come from a pool of their own, apart from other tests' daemons.
    static let addressPool = "base=172.31.0.0/16,size=24"

    /// `db` serves HTTP; `api` and `worker` are compose services that depend on it (the
    /// labels compose v2 writes) and whose healthchecks reach it by its service name.
    /// The watchdog runs on the host, so its probe reaches the database through a port
    /// published on loopback, by a network alias the host resolves too (in a stack, the
    /// probe would name the service).
    func startShop(_ docker: RealDocker, port: Int) async throws {
        try checkStep(await docker.run(["network", "create", "shop"]), "network")
        func labels(_ service: String, dependsOn: String? = nil) -> [String] {
            var labels = [
                "--network", "shop", "--label", "com.docker.compose.project=shop",
                "--label", "com.docker.compose.service=\(service)",
            ]
            if let dependsOn { labels += ["--label", "com.docker.compose.depends_on=\(dependsOn)"] }
            return labels
        }
        try await docker.container(
            "shop-db-1",
            labels("db") + ["--network-alias", "db", "--network-alias", "localhost", "-p", "127.0.0.1:\(port):8080"],
            command: [
                "sh", "-c", "busybox mkdir -p /www; echo ok > /www/index.html; exec busybox httpd -f -p 8080 -h /www",
            ])
        for (name, service) in [("shop-api-1", "api"), ("shop-worker-1", "worker")] {
            try await docker.container(
                name,
                labels(service, dependsOn: "db:service_started:false")
                    + [
                        // Slower than Docker's `die`: the database is known dead first.
                        "--health-cmd", "busybox wget -q -O /dev/null http://db:8080/", "--health-interval", "2s",
                        "--health-timeout", "2s", "--health-retries", "2",
                    ],
                command: ["sleep", "600"])
        }
        for name in ["shop-api-1", "shop-worker-1"] {
            let healthy = await eventually(timeout: .seconds(60)) {
                let health = try? await docker.run(["inspect", "-f", "{{.State.Health.Status}}", name])
                return health?.stdout.hasPrefix("healthy") == true
            }
            #expect(healthy, "\(name) never became healthy")
        }
    }

    func crashContainer(_ docker: RealDocker, _ name: String) async throws {
        let text = try await docker.run(["inspect", "-f", "{{.State.Pid}}", name]).stdout
        let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGKILL)
    }

    func checkStep(_ output: RealDocker.Output, _ step: String) throws {
        guard output.status == 0 else { throw RealDocker.Failure(description: "\(step): \(output.stderr)") }
    }

    @Test func aDatabaseCrashIsOneMessageNamingWhatItTookDown() async throws {
        let telegram = try await TelegramStandIn.start(token: CauseProcessTests.botToken)
        defer { Task { await telegram.stop() } }
        try await RealDocker.with(extraArguments: ["--default-address-pool", Self.addressPool]) { docker in
            let port = try freeLocalPort()
            try await startShop(docker, port: port)
            let watchdog = try WatchdogProcess.start(
                ["run"],
                environment: [
                    // The interval is what an effect is given to recover after its cause:
                    // the healthchecks run every second.
                    "WATCHDOG_INTERVAL": "5s", "WATCHDOG_LOG_LEVEL": "debug", "WATCHDOG_MEM_PCT": "100",
                    "WATCHDOG_DISK_PCT": "100", "WATCHDOG_LISTEN": "off", "WATCHDOG_STATE_FILE": "",
                    "WATCHDOG_DOCKER_SOCK": docker.socket, "WATCHDOG_COMPOSE_PROJECT": "shop",
                    "WATCHDOG_CONTAINER_GRACE": "30s", "WATCHDOG_DIGEST_AFTER": "100",
                    "WATCHDOG_DEPS": "db-http=http://localhost:\(port)/", "WATCHDOG_DEP_DOWN_AFTER": "1",
                ].merging(CauseProcessTests.telegramEnvironment(telegram)) { _, new in new })
            defer { watchdog.kill() }
            try await watchdog.waitForStderr(occurrences: 1, of: "Docker events stream open", timeout: 30)
            try await watchdog.waitForStderr(occurrences: 2, of: "tick done", timeout: 30)
            #expect(telegram.accepted.isEmpty, "\(telegram.accepted.map(\.text))")

            // The database crashes: one fire, rewritten as its effects show up.
            try await crashContainer(docker, "shop-db-1")
            #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.count == 1 })
            let effects = [
                "shop-api-1 (container unhealthy)", "shop-worker-1 (container unhealthy)", "db-http (dependency down)",
            ]
            let named = await eventually(timeout: .seconds(60)) {
                guard let last = telegram.edits.last?.text else { return false }
                return effects.allSatisfy(last.contains)
            }
            #expect(named, "\(telegram.edits.map(\.text))")
            let fire = try #require(telegram.accepted.first)
            #expect(fire.text.contains("FIRING") && fire.text.contains("shop-db-1"))
            #expect(telegram.edits.allSatisfy { $0.messageID == fire.messageID })

            // It comes back: one resolve; its effects recover without a word.
            try checkStep(await docker.run(["start", "shop-db-1"]), "start db")
            #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.count == 2 })
            let recovered = await eventually(timeout: .seconds(60)) {
                let health = try? await docker.run(["inspect", "-f", "{{.State.Health.Status}}", "shop-api-1"])
                return health?.stdout.hasPrefix("healthy") == true
            }
            #expect(recovered)
            let ticks = watchdog.stderr.components(separatedBy: "tick done").count - 1
            try await watchdog.waitForStderr(occurrences: ticks + 3, of: "tick done", timeout: 60)
            #expect(telegram.accepted.count == 2, "\(telegram.accepted.map(\.text))")
            #expect(!telegram.accepted.contains { $0.text.contains("Container shop-api-1") })
            #expect(telegram.accepted.last?.text.contains("RESOLVED") == true)
            #expect(telegram.accepted.last?.text.contains("shop-db-1") == true)

            // Again, and a dependent crashes meanwhile: still down after the database is
            // back, it is announced then, saying what held it.
            try await crashContainer(docker, "shop-db-1")
            #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.count == 3 })
            try await crashContainer(docker, "shop-api-1")
            try await watchdog.waitForStderr(
                occurrences: 1, of: "alert transition action=fire key=container_down:shop-api-1 sent=false",
                timeout: 30)
            try checkStep(await docker.run(["start", "shop-db-1"]), "start db")
            #expect(await eventually(timeout: .seconds(30)) { telegram.accepted.count == 5 })
            let texts = telegram.accepted.map(\.text)
            // What the chat read, for the log of a run (docs/causes.md shows the same).
            for text in texts { print("causes e2e: telegram: \(text.replacingOccurrences(of: "\n", with: " | "))") }
            #expect(texts[3].contains("RESOLVED") && texts[3].contains("shop-db-1"), "\(texts)")
            #expect(texts[4].contains("FIRING") && texts[4].contains("shop-api-1"), "\(texts)")
            #expect(texts[4].contains("held behind shop-db-1 (container down)"), "\(texts)")
            watchdog.terminate()
            let result = try await watchdog.wait(timeout: 10)
            #expect(result.status == 0)
            #expect(!(result.stdout + result.stderr).contains(CauseProcessTests.botToken))
            for name in ["shop-db-1", "shop-api-1", "shop-worker-1"] { _ = try await docker.run(["rm", "-f", name]) }
            try checkStep(await docker.run(["network", "rm", "shop"]), "network rm")
        }
    }
}
