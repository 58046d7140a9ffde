import Collectors
import Foundation

/// The real `moto_server` that scripts/test.sh starts on loopback
/// (`WATCHDOG_TEST_MOTO_URL`), one AWS region per test so tests running side by side
/// never see each other's instances.
///
/// The mutating calls (run, stop, start, terminate, tag, put metric data) go through the
/// product's own signed Query client: moto routes each request by the service in its
/// SigV4 credential scope, exactly as AWS would.
struct RealMoto {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let url = ProcessInfo.processInfo.environment["WATCHDOG_TEST_MOTO_URL"]
    static let available = url != nil
    /// Set by scripts/test.sh: a missing moto is then a failure, never a silent skip.
    static let required = ProcessInfo.processInfo.environment["WATCHDOG_TEST_REQUIRE_PEERS"] == "1"

    let region: String
    let endpoint: String

    init(region: String) throws {
        guard let url = Self.url else {
            throw Failure(description: "WATCHDOG_TEST_MOTO_URL is not set (scripts/test.sh starts moto_server)")
        }
        self.region = region
        self.endpoint = url
    }

    /// What the watchdog's credential chain and endpoint override read.
    var awsEnvironment: [String: String] {
        ["AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "AKIDMOTOTEST", "AWS_SECRET_ACCESS_KEY": "moto-s3cr3t"]
    }

    func client(_ service: String) -> AWSQueryClient {
        AWSQueryClient(
            service: service, apiVersion: service == "ec2" ? "2016-11-15" : "2010-08-01", region: region,
            endpoint: endpoint, credentials: AWSCredentialChain(environment: awsEnvironment, timeout: .seconds(5)),
            // The tests' own setup calls, not the subject: room for a machine busy with
            // every suite starting at once.
            requestTimeout: .seconds(20))
    }

    @discardableResult
    func ec2(_ action: String, _ parameters: [(String, String)]) async throws -> XMLTree.Element {
        try await client("ec2").call(action, parameters, time: AWSCallTime(now: Date(), budget: .seconds(45)))
    }

    func runInstances(_ count: Int, tags: [String: String] = [:]) async throws -> [String] {
        var parameters = [("ImageId", "ami-12345678"), ("MinCount", "\(count)"), ("MaxCount", "\(count)")]
        if !tags.isEmpty {
            parameters.append(("TagSpecification.1.ResourceType", "instance"))
            for (index, (key, value)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
                parameters.append(("TagSpecification.1.Tag.\(index + 1).Key", key))
                parameters.append(("TagSpecification.1.Tag.\(index + 1).Value", value))
            }
        }
        let answer = try await ec2("RunInstances", parameters)
        let ids = answer.list("instancesSet").compactMap { $0.value("instanceId") }
        guard ids.count == count else { throw Failure(description: "RunInstances gave \(ids)") }
        return ids
    }

    func stop(_ id: String) async throws { try await ec2("StopInstances", [("InstanceId.1", id)]) }
    func start(_ id: String) async throws { try await ec2("StartInstances", [("InstanceId.1", id)]) }
    func terminate(_ id: String) async throws { try await ec2("TerminateInstances", [("InstanceId.1", id)]) }

    /// One CPUUtilization datapoint, stamped now.
    func putCPU(_ id: String, percent: Double) async throws {
        try await putMetric(.cpuUtilization, id, percent: percent)
    }

    /// One datapoint of `metric` for the instance, stamped now.
    func putMetric(_ metric: EC2Metric, _ id: String, percent: Double) async throws {
        _ = try await client("monitoring").call(
            "PutMetricData",
            [
                ("Namespace", metric.namespace), ("MetricData.member.1.MetricName", metric.name),
                ("MetricData.member.1.Value", "\(percent)"), ("MetricData.member.1.Unit", "Percent"),
                ("MetricData.member.1.Dimensions.member.1.Name", "InstanceId"),
                ("MetricData.member.1.Dimensions.member.1.Value", id),
            ], time: AWSCallTime(now: Date(), budget: .seconds(45)))
    }
}
