import Collectors
import Foundation
import Notify
import TestSupport
import Testing

@testable import Watchdog

/// EC2 and CloudWatch through a real `moto_server`: the watchdog's signed Query client,
/// the `ec2` and `ec2_cpu` sources and `decide()`, end to end.
@Suite(.enabled(if: RealMoto.available || RealMoto.required))
struct EC2MotoTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func engine(
        _ moto: RealMoto, ids: [String] = [], filters: String = "", cpuPercent: Double? = nil,
        memoryPercent: Double? = nil
    ) throws -> TickEngine<ManualClock> {
        let settings = EC2Settings(
            instanceIDs: ids, filters: try EC2Filter.parseList(filters), region: moto.region,
            interval: .seconds(1), transientGrace: .seconds(600), cpuPercent: cpuPercent,
            memoryPercent: memoryPercent, awsEnvironment: moto.awsEnvironment)
        return TickEngine(
            sources: settings.sources(requestTimeout: .seconds(5), budget: .seconds(15), texts: Texts(.en)),
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 1, policies: .standard(cooldown: nil, processCooldown: nil),
                texts: Texts(.en)),
            collectTimeout: .seconds(20), clock: ManualClock())
    }

    /// Ticks ten seconds apart (the sources' interval is one second).
    final class Ticker: @unchecked Sendable {
        let engine: TickEngine<ManualClock>
        let clock: ManualClock
        var now: Date

        init(_ engine: TickEngine<ManualClock>, start: Date) {
            self.engine = engine
            self.clock = engine.clock
            self.now = start
        }

        /// "action key" per notification, and the tick's collector errors.
        func tick() async -> (notifications: [AlertNotification], errors: [String]) {
            now = now.addingTimeInterval(10)
            clock.advance(by: .seconds(10))
            let collected = await engine.collect(now: now)
            let errors = collected.compactMap { outcome -> String? in
                if case .failed(let error) = outcome.status { return error }
                return nil
            }
            return (await engine.conclude(collected, now: now).notifications, errors)
        }
    }

    static func summary(_ notifications: [AlertNotification]) -> [String] {
        notifications.map { "\($0.action.rawValue) \($0.key)" }
    }

    @Test func aStoppedInstanceFiresAloneResolvesWhenStartedAndFiresAgainWhenTerminated() async throws {
        let moto = try RealMoto(region: "eu-north-1")
        let ids = try await moto.runInstances(2)
        let ticker = Ticker(try engine(moto, ids: ids), start: t0)
        var tick = await ticker.tick()
        #expect(tick.errors == [])
        #expect(tick.notifications.isEmpty)

        try await moto.stop(ids[0])
        tick = await ticker.tick()
        #expect(Self.summary(tick.notifications) == ["fire ec2_state:\(ids[0])"])
        #expect(tick.notifications.first?.detail == "state stopped")
        #expect(tick.notifications.first?.severity == .critical)

        try await moto.start(ids[0])
        tick = await ticker.tick()
        #expect(Self.summary(tick.notifications) == ["resolve ec2_state:\(ids[0])"])

        try await moto.terminate(ids[1])
        tick = await ticker.tick()
        #expect(Self.summary(tick.notifications) == ["fire ec2_state:\(ids[1])"])
        #expect(tick.notifications.first?.detail == "state terminated")
    }

    @Test func anUnknownInstanceIdSurfacesTheAPIsErrorAndTheOthersAreStillWatched() async throws {
        let moto = try RealMoto(region: "ap-south-1")
        let ids = try await moto.runInstances(1)
        let ghost = "i-0123456789abcdef0"
        let ticker = Ticker(try engine(moto, ids: [ids[0], ghost]), start: t0)
        var tick = await ticker.tick()
        #expect(tick.errors == [])
        #expect(Self.summary(tick.notifications) == ["fire ec2_state:\(ghost)"])
        #expect(
            tick.notifications.first?.detail
                == "EC2 does not know this instance: InvalidInstanceID.NotFound: The instance ID '\(ghost)' does not exist"
        )
        // Reported once: no repeat while it stays unknown (cooldown off here).
        tick = await ticker.tick()
        #expect(tick.notifications.isEmpty)

        try await moto.stop(ids[0])
        tick = await ticker.tick()
        #expect(Self.summary(tick.notifications) == ["fire ec2_state:\(ids[0])"])
    }

    @Test func filtersSelectTheInstancesToWatch() async throws {
        let moto = try RealMoto(region: "ca-central-1")
        // A role of its own, so instances of an earlier run against the same server do not count.
        let role = "worker-\(UUID().uuidString.prefix(8))"
        let workers = try await moto.runInstances(1, tags: ["Role": role])
        let others = try await moto.runInstances(1, tags: ["Role": "web"])
        let ticker = Ticker(
            try engine(moto, filters: "tag:Role=\(role);instance-state-name=running,stopped"), start: t0)
        #expect(await ticker.tick().notifications.isEmpty)

        try await moto.stop(others[0])
        try await moto.stop(workers[0])
        let tick = await ticker.tick()
        #expect(tick.errors == [])
        #expect(Self.summary(tick.notifications) == ["fire ec2_state:\(workers[0])"])
    }

    @Test func cloudWatchCPUAboveTheThresholdFires() async throws {
        let moto = try RealMoto(region: "sa-east-1")
        let ids = try await moto.runInstances(2)
        try await moto.putCPU(ids[0], percent: 95)
        try await moto.putCPU(ids[1], percent: 10)
        // The datapoints are stamped with the real time and CloudWatch is asked about the
        // minutes before the tick's now, so this tick runs on the real time too.
        let ticker = Ticker(try engine(moto, ids: ids, cpuPercent: 90), start: Date().addingTimeInterval(-10))
        let tick = await ticker.tick()
        #expect(tick.errors == [])
        #expect(Self.summary(tick.notifications) == ["fire ec2_cpu_high:\(ids[0])"])
        #expect(tick.notifications.first?.detail == "CPU 95% on average over 5 minutes (threshold 90%)")
        #expect(tick.notifications.first?.severity == .warning)
    }

    /// `ec2_memory_high` reads the CloudWatch agent's metric: an instance whose agent
    /// reports 93% fires, one at 40% does not, and one without the agent (no datapoint)
    /// is left as it was; the CPU check, on beside it, is asked separately.
    @Test func theAgentsMemoryAboveTheThresholdFiresAndAnInstanceWithoutTheAgentIsLeftAsItWas() async throws {
        let moto = try RealMoto(region: "ap-south-1")
        let ids = try await moto.runInstances(3)
        try await moto.putMetric(.agentMemoryUsed, ids[0], percent: 93)
        try await moto.putMetric(.agentMemoryUsed, ids[1], percent: 40)
        try await moto.putMetric(.cpuUtilization, ids[2], percent: 99)
        let ticker = Ticker(
            try engine(moto, ids: ids, cpuPercent: 95, memoryPercent: 90), start: Date().addingTimeInterval(-10))
        let tick = await ticker.tick()
        #expect(tick.errors == [])
        #expect(
            Set(Self.summary(tick.notifications)) == ["fire ec2_memory_high:\(ids[0])", "fire ec2_cpu_high:\(ids[2])"])
        let memory = tick.notifications.first { $0.key.hasPrefix("ec2_memory_high") }
        #expect(memory?.title == "EC2 instance \(ids[0]) memory is high")
        #expect(memory?.detail == "memory 93% used on average over 5 minutes (threshold 90%)")
        #expect(memory?.severity == .warning)
        // The agent's figure drops (the period's average with it): the key resolves, and
        // the instance without the agent still sends nothing.
        try await moto.putMetric(.agentMemoryUsed, ids[0], percent: 0)
        try await moto.putMetric(.agentMemoryUsed, ids[0], percent: 0)
        let later = await ticker.tick()
        #expect(later.errors == [])
        #expect(
            Self.summary(later.notifications).filter { $0.contains("ec2_memory_high") } == [
                "resolve ec2_memory_high:\(ids[0])"
            ])
    }

    @Test func anUnreachableAPIIsACollectorFailureNotAnEC2Alert() async throws {
        // An endpoint that refuses every connection: the retries run out within the
        // budget, the source fails (collector_failed), and no ec2_* key fires.
        let moto = try RealMoto(region: "eu-west-3")
        let closed = "http://127.0.0.1:\(try freeLocalPort())"
        let settings = EC2Settings(
            instanceIDs: ["i-12345678"], filters: [], region: moto.region, interval: .seconds(1),
            transientGrace: .zero, cpuPercent: nil,
            awsEnvironment: moto.awsEnvironment.merging(["AWS_ENDPOINT_URL": closed]) { _, new in new })
        let source = EC2Source(
            collector: settings.collectors(requestTimeout: .seconds(1), budget: .seconds(1)).instances,
            interval: .seconds(1), transientGrace: .zero, texts: Texts(.en))
        let engine = TickEngine(
            sources: [source],
            settings: DecisionSettings(
                instance: "h", collectorFailedAfter: 1, policies: .standard(cooldown: nil, processCooldown: nil),
                texts: Texts(.en)),
            collectTimeout: .seconds(5), clock: ManualClock())
        let tick = await Ticker(engine, start: t0).tick()
        #expect(Self.summary(tick.notifications) == ["fire collector_failed:ec2"])
        #expect(tick.errors.first?.hasPrefix("ec2 DescribeInstanceStatus failed after ") == true)
        #expect(!"\(tick)".contains("moto-s3cr3t"))
    }

    /// The binary, configured the way an operator would: AWS's variables in the `.env`
    /// file, the region and endpoint included.
    @Test func theBinaryWatchesEC2WithCredentialsFromTheEnvFile() async throws {
        let moto = try RealMoto(region: "us-west-1")
        let ids = try await moto.runInstances(1)
        try await moto.stop(ids[0])
        let directory = try TemporaryDirectory()
        let envFile = try directory.write(
            "watchdog.env",
            (moto.awsEnvironment.merging(["AWS_REGION": moto.region, "WATCHDOG_EC2_INSTANCE_IDS": ids[0]]) { a, _ in a })
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined())
        let result = try await WatchdogProcess.run(["once", "--json"], environment: ["WATCHDOG_ENV_FILE": envFile])
        #expect(result.status == 0)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let notifications = report["notifications"] as? [[String: Any]] ?? []
        #expect(
            notifications.map { "\($0["action"] ?? "") \($0["family"] ?? ""):\($0["entity"] ?? "")" } == [
                "fire ec2_state:\(ids[0])"
            ])
        #expect(!result.stdout.contains("moto-s3cr3t"))
        #expect(!result.stderr.contains("moto-s3cr3t"))
    }
}
