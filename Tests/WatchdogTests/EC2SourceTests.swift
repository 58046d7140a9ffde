import Collectors
import Foundation
import Notify
import Testing

@testable import Watchdog

/// What EC2 readings mean (pure: no AWS); the moto tests cover the real API.
@Suite struct EC2SourceTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A source whose collector is never called here.
    func source(grace: Duration = .seconds(600), language: Language = .en) -> EC2Source {
        let settings = EC2Settings(
            instanceIDs: ["i-12345678"], filters: [], region: "eu-west-1", interval: .seconds(300),
            transientGrace: grace, cpuPercent: nil, awsEnvironment: [:])
        return EC2Source(
            collector: settings.collectors(requestTimeout: .seconds(1), budget: .seconds(1)).instances,
            interval: settings.interval, transientGrace: grace, texts: Texts(language))
    }

    func signal(_ evaluation: SourceEvaluation<EC2Source.Memory>, _ key: String) -> Signal? {
        evaluation.signals.first { $0.key.description == key }
    }

    @Test func runningIsFineAndStoppedOrTerminatedFiresAtOnce() {
        let reading = EC2Reading(instances: [
            EC2InstanceStatus(instanceID: "i-0000000a", state: "running", systemStatus: "ok", instanceStatus: "ok"),
            EC2InstanceStatus(instanceID: "i-0000000b", state: "stopped"),
            EC2InstanceStatus(instanceID: "i-0000000c", state: "terminated"),
        ])
        let evaluation = source().evaluate(reading, memory: nil, now: t0)
        #expect(signal(evaluation, "ec2_state:i-0000000a")?.active == false)
        let stopped = signal(evaluation, "ec2_state:i-0000000b")
        #expect(stopped?.active == true)
        #expect(stopped?.severity == .critical)
        #expect(stopped?.title == "EC2 instance i-0000000b is not running")
        #expect(stopped?.detail == "state stopped")
        #expect(signal(evaluation, "ec2_state:i-0000000c")?.detail == "state terminated")
        #expect(signal(evaluation, "ec2_status_check:i-0000000b")?.active == false)
    }

    @Test func transientStatesFireOnlyAfterTheGraceMeasuredFromTheFirstSighting() {
        let source = source(grace: .seconds(600))
        let stopping = EC2Reading(instances: [EC2InstanceStatus(instanceID: "i-0000000a", state: "stopping")])
        let first = source.evaluate(stopping, memory: nil, now: t0)
        #expect(signal(first, "ec2_state:i-0000000a")?.active == false)
        let still = source.evaluate(stopping, memory: first.memory, now: t0.addingTimeInterval(599))
        #expect(signal(still, "ec2_state:i-0000000a")?.active == false)
        let late = source.evaluate(stopping, memory: still.memory, now: t0.addingTimeInterval(600))
        #expect(signal(late, "ec2_state:i-0000000a")?.active == true)
        #expect(signal(late, "ec2_state:i-0000000a")?.detail == "stopping for 10m")

        // A new state starts a new clock: pending right after is within its grace again.
        let pending = EC2Reading(instances: [EC2InstanceStatus(instanceID: "i-0000000a", state: "pending")])
        let restarted = source.evaluate(pending, memory: late.memory, now: t0.addingTimeInterval(601))
        #expect(signal(restarted, "ec2_state:i-0000000a")?.active == false)
        #expect(restarted.memory?.states["i-0000000a"]?.since == t0.addingTimeInterval(601))
        // Instances no longer watched are forgotten.
        #expect(source.evaluate(EC2Reading(instances: []), memory: late.memory, now: t0).memory?.states.isEmpty == true)
    }

    @Test func aGraceOfZeroFiresTransientStatesAtOnce() {
        let reading = EC2Reading(instances: [EC2InstanceStatus(instanceID: "i-0000000a", state: "shutting-down")])
        #expect(
            signal(source(grace: .zero).evaluate(reading, memory: nil, now: t0), "ec2_state:i-0000000a")?.active == true
        )
    }

    @Test func impairedStatusNamesTheFailedChecks() {
        let reading = EC2Reading(instances: [
            EC2InstanceStatus(
                instanceID: "i-0000000a", state: "running", systemStatus: "impaired", instanceStatus: "ok",
                failedChecks: ["system reachability"]),
            EC2InstanceStatus(
                instanceID: "i-0000000b", state: "running", systemStatus: "ok", instanceStatus: "insufficient-data"),
        ])
        let evaluation = source().evaluate(reading, memory: nil, now: t0)
        let impaired = signal(evaluation, "ec2_status_check:i-0000000a")
        #expect(impaired?.active == true)
        #expect(impaired?.severity == .critical)
        #expect(impaired?.detail == "system status impaired, instance status ok; failed: system reachability")
        #expect(signal(evaluation, "ec2_status_check:i-0000000b")?.active == false)
    }

    @Test func eachScheduledEventCodeIsItsOwnKeyAndFinishedEventsResolve() {
        let notBefore = Date(timeIntervalSince1970: 1_800_600_000)
        let reading = EC2Reading(instances: [
            EC2InstanceStatus(
                instanceID: "i-0000000a", state: "running",
                events: [
                    EC2ScheduledEvent(
                        code: "instance-retirement", description: "degraded hardware", notBefore: notBefore),
                    EC2ScheduledEvent(
                        code: "system-reboot", description: "later", notBefore: notBefore.addingTimeInterval(86400)),
                    EC2ScheduledEvent(code: "system-reboot", description: "sooner", notBefore: notBefore),
                    EC2ScheduledEvent(code: "system-maintenance", description: "[Completed] done"),
                ])
        ])
        let evaluation = source().evaluate(reading, memory: nil, now: t0)
        let retirement = signal(evaluation, "ec2_scheduled_event:i-0000000a/instance-retirement")
        #expect(retirement?.active == true)
        #expect(retirement?.severity == .warning)
        #expect(retirement?.title == "AWS scheduled instance-retirement for EC2 instance i-0000000a")
        #expect(retirement?.detail == "not before 2027-01-22T06:40:00Z: degraded hardware")
        #expect(
            signal(evaluation, "ec2_scheduled_event:i-0000000a/system-reboot")?.detail.hasSuffix(": sooner") == true)
        let over = signal(evaluation, "ec2_scheduled_event:i-0000000a/system-maintenance")
        #expect(over?.active == false)
        #expect(over?.detail == "the event is no longer scheduled")
    }

    @Test func anUnknownInstanceFiresWithTheAPIsOwnWords() {
        let error = "InvalidInstanceID.NotFound: The instance ID 'i-0123456789abcdef0' does not exist"
        let reading = EC2Reading(
            instances: [], unknown: [EC2UnknownInstance(instanceID: "i-0123456789abcdef0", error: error)])
        let evaluation = source().evaluate(reading, memory: nil, now: t0)
        let unknown = signal(evaluation, "ec2_state:i-0123456789abcdef0")
        #expect(unknown?.active == true)
        #expect(unknown?.detail == "EC2 does not know this instance: " + error)
    }

    @Test func russianTexts() {
        let reading = EC2Reading(instances: [EC2InstanceStatus(instanceID: "i-0000000b", state: "stopped")])
        let evaluation = source(language: .ru).evaluate(reading, memory: nil, now: t0)
        #expect(signal(evaluation, "ec2_state:i-0000000b")?.title == "EC2-инстанс i-0000000b не работает")
        #expect(signal(evaluation, "ec2_state:i-0000000b")?.detail == "состояние stopped")
    }

    @Test func cpuWithoutADatapointIsUnknownNotResolved() {
        let settings = EC2Settings(
            instanceIDs: ["i-0000000a"], filters: [], region: "eu-west-1", interval: .seconds(300),
            transientGrace: .zero, cpuPercent: 90, awsEnvironment: [:])
        let collectors = settings.collectors(requestTimeout: .seconds(1), budget: .seconds(1))
        let source = EC2MetricSource(
            check: .cpu, collector: collectors.metrics[0], interval: .seconds(300), thresholdPercent: 90,
            texts: Texts(.en))
        let evaluation = source.evaluate(
            [
                EC2MetricAverage(instanceID: "i-0000000a", averagePercent: 95),
                EC2MetricAverage(instanceID: "i-0000000b", averagePercent: 89.9),
                EC2MetricAverage(instanceID: "i-0000000c", averagePercent: nil),
            ], memory: nil, now: t0)
        #expect(evaluation.signals.map(\.active) == [true, false])
        #expect(evaluation.signals[0].detail == "CPU 95% on average over 5 minutes (threshold 90%)")
        #expect(evaluation.unknown == .keys([SignalKey(.ec2CPUHigh, "i-0000000c")]))
        #expect(collectors.metrics.first?.cloudWatch.endpoint == "https://monitoring.eu-west-1.amazonaws.com")
    }

    /// The memory check reads the agent's metric and speaks both languages; its keys are
    /// its own family, so the CPU check's source never resolves them.
    @Test(arguments: [
        (
            Language.en, "EC2 instance i-0000000a memory is high",
            "memory 93% used on average over 5 minutes (threshold 90%)"
        ),
        (Language.ru, "Мало памяти на EC2-инстансе i-0000000a", "занято 93% памяти в среднем за 5 минут (порог 90%)"),
    ])
    func memoryAboveTheThresholdFiresInEitherLanguage(language: Language, title: String, detail: String) throws {
        let settings = EC2Settings(
            instanceIDs: ["i-0000000a"], filters: [], region: "eu-west-1", interval: .seconds(300),
            transientGrace: .zero, cpuPercent: nil, memoryPercent: 90, awsEnvironment: [:])
        let collectors = settings.collectors(requestTimeout: .seconds(1), budget: .seconds(1))
        let metric = try #require(collectors.metrics.first)
        #expect(metric.metric == .agentMemoryUsed)
        #expect(
            settings.endpoints == ["https://ec2.eu-west-1.amazonaws.com", "https://monitoring.eu-west-1.amazonaws.com"])
        let source = EC2MetricSource(
            check: .memory, collector: metric, interval: .seconds(300), thresholdPercent: 90, texts: Texts(language))
        #expect(source.name == "ec2_memory")
        #expect(source.ownership == .families([.ec2MemoryHigh]))
        let evaluation = source.evaluate(
            [EC2MetricAverage(instanceID: "i-0000000a", averagePercent: 93)], memory: nil, now: t0)
        #expect(evaluation.signals.map(\.key) == [SignalKey(.ec2MemoryHigh, "i-0000000a")])
        #expect(evaluation.signals.first?.title == title)
        #expect(evaluation.signals.first?.detail == detail)
        #expect(evaluation.signals.first?.severity == .warning)
    }
}
