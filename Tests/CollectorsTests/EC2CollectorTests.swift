import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Collectors

/// The EC2 Query client against a local server that answers like EC2: paging, batches,
/// throttling, faults, unknown ids. (The real thing, moto, is in `EC2MotoTests`.)
@Suite struct EC2CollectorTests {
    static let secret = "wJalrXUtnFEMI-s3cr3t-EXAMPLEKEY"

    func client(_ server: StubHTTPServer, service: String = "ec2") -> AWSQueryClient {
        AWSQueryClient(
            service: service, apiVersion: "2016-11-15", region: "eu-west-1", endpoint: server.baseURL,
            credentials: AWSCredentialChain(
                environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret],
                timeout: .seconds(2)),
            // A request's whole answer must arrive within its timeout; at the start of the
            // test run every suite starts at once on two cores, and 2 s proved too tight
            // there. The collectors' budgets bound the tests that hang on purpose.
            requestTimeout: .seconds(8))
    }

    func collector(_ server: StubHTTPServer, ids: [String], filters: [EC2Filter] = [], budget: Duration = .seconds(8))
        -> EC2Collector
    {
        EC2Collector(client: client(server), instanceIDs: ids, filters: filters, budget: budget)
    }

    static func parameters(_ request: RecordedRequest) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in request.bodyText.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return parameters
    }

    static func xml(_ status: Int, _ body: String) -> StubResponse {
        StubResponse(status: status, headers: ["Content-Type": "text/xml;charset=UTF-8"], body: body)
    }

    static func statusAnswer(_ ids: [String], state: String = "running") -> StubResponse {
        let items = ids.map {
            "<item><instanceId>\($0)</instanceId><instanceState><code>16</code><name>\(state)</name></instanceState></item>"
        }
        return xml(
            200,
            "<DescribeInstanceStatusResponse><instanceStatusSet>\(items.joined())</instanceStatusSet></DescribeInstanceStatusResponse>"
        )
    }

    /// The counter's value after adding one.
    static func increment(_ counter: borrowing Mutex<Int>) -> Int {
        counter.withLock { count in
            count += 1
            return count
        }
    }

    static func requestedIDs(_ request: RecordedRequest) -> [String] {
        let parameters = parameters(request)
        return (1...1000).compactMap { parameters["InstanceId.\($0)"] }
    }

    @Test func throttlingIsRetriedAndEveryRequestIsSigned() async throws {
        let throttling = try FixtureFiles.text("ec2/error-throttling.xml")
        let events = try FixtureFiles.text("ec2/describe-instance-status-events.xml")
        let count = Mutex(0)
        let server = try await StubHTTPServer.start { _ in
            Self.increment(count) <= 2 ? Self.xml(503, throttling) : Self.xml(200, events)
        }
        defer { Task { await server.stop() } }
        let reading = try await collector(server, ids: ["i-1234567890abcdef0", "i-0598c7d356eba48d7"]).collect(
            now: Date())
        #expect(reading.instances.map(\.state) == ["running", "stopped"])
        #expect(reading.instances[0].events.count == 3)
        #expect(server.requests.count == 3)
        for request in server.requests {
            #expect(request.method == "POST")
            let authorization = request.headers["authorization"] ?? ""
            #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
            #expect(authorization.contains("/eu-west-1/ec2/aws4_request"))
            #expect(request.headers["x-amz-date"] != nil)
            #expect(!"\(request.headers)\(request.bodyText)".contains(Self.secret))
            let parameters = Self.parameters(request)
            #expect(parameters["Action"] == "DescribeInstanceStatus")
            #expect(parameters["Version"] == "2016-11-15")
            #expect(parameters["IncludeAllInstances"] == "true")
            #expect(Self.requestedIDs(request) == ["i-1234567890abcdef0", "i-0598c7d356eba48d7"])
        }
    }

    @Test func endlessThrottlingFailsWithinTheBudgetWithAWSsOwnWords() async throws {
        let throttling = try FixtureFiles.text("ec2/error-throttling.xml")
        let server = try await StubHTTPServer.start { _ in Self.xml(503, throttling) }
        defer { Task { await server.stop() } }
        // Room for a second attempt even when the first answer is slow, as it can be while
        // every suite starts at once (the stand-in answers on the shared pool).
        let error = await #expect(throws: CollectorError.self) {
            try await collector(server, ids: ["i-12345678"], budget: .seconds(6)).collect(now: Date())
        }
        #expect(error?.message.hasPrefix("ec2 DescribeInstanceStatus failed after ") == true)
        #expect(error?.message.hasSuffix("attempts: RequestLimitExceeded: Request limit exceeded.") == true)
        #expect(server.requests.count >= 2)
        #expect(!"\(String(describing: error))".contains(Self.secret))
    }

    @Test func awsOwnWordsWinOverALaterTimeout() async throws {
        let throttling = try FixtureFiles.text("ec2/error-throttling.xml")
        let count = Mutex(0)
        let server = try await StubHTTPServer.start { _ in
            Self.increment(count) == 1 ? Self.xml(503, throttling) : .hangs
        }
        defer { Task { await server.stop() } }
        // A budget of several seconds: the first answer must arrive inside it even when
        // every suite of the run starts at once on two cores.
        let error = await #expect(throws: CollectorError.self) {
            try await collector(server, ids: ["i-12345678"], budget: .seconds(4)).collect(now: Date())
        }
        #expect(error?.message.hasSuffix("attempts: RequestLimitExceeded: Request limit exceeded.") == true)
    }

    @Test func aServerFaultWithoutXMLIsRetriedToo() async throws {
        let count = Mutex(0)
        let server = try await StubHTTPServer.start { _ in
            Self.increment(count) == 1
                ? StubResponse(status: 502, body: "<html><body>Bad gateway</body></html>")
                : Self.statusAnswer(["i-12345678"])
        }
        defer { Task { await server.stop() } }
        let reading = try await collector(server, ids: ["i-12345678"]).collect(now: Date())
        #expect(reading.instances.map(\.instanceID) == ["i-12345678"])
        #expect(server.requests.count == 2)
    }

    @Test func otherErrorsAreNotRetried() async throws {
        let auth = try FixtureFiles.text("ec2/error-auth.xml")
        let server = try await StubHTTPServer.start { _ in Self.xml(401, auth) }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: CollectorError.self) {
            try await collector(server, ids: ["i-12345678"]).collect(now: Date())
        }
        #expect(
            error?.message
                == "ec2 DescribeInstanceStatus: AuthFailure: AWS was not able to validate the provided access credentials"
        )
        #expect(server.requests.count == 1)
    }

    @Test func rejectedCredentialsAreLookedUpAgainOnTheNextRun() async throws {
        let auth = try FixtureFiles.text("ec2/error-auth.xml")
        let server = try await StubHTTPServer.start { request in
            request.headers["authorization"]?.contains("Credential=AKIDROTATED/") == true
                ? Self.statusAnswer(["i-12345678"]) : Self.xml(401, auth)
        }
        defer { Task { await server.stop() } }
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "credentials", "[default]\naws_access_key_id = AKIDOLD\naws_secret_access_key = old\n")
        let chain = AWSCredentialChain(
            environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_EC2_METADATA_DISABLED": "true"],
            timeout: .seconds(2))
        let collector = EC2Collector(
            client: AWSQueryClient(
                service: "ec2", apiVersion: "2016-11-15", region: "eu-west-1", endpoint: server.baseURL,
                credentials: chain, requestTimeout: .seconds(8)),
            instanceIDs: ["i-12345678"], filters: [], budget: .seconds(8))
        await #expect(throws: CollectorError.self) { try await collector.collect(now: Date()) }
        // The operator rotates the key in the file; the next run uses it.
        _ = try directory.write(
            "credentials", "[default]\naws_access_key_id = AKIDROTATED\naws_secret_access_key = new\n")
        #expect(try await collector.collect(now: Date()).instances.map(\.instanceID) == ["i-12345678"])
    }

    @Test func filtersArePagedThenTheirInstancesDescribed() async throws {
        let pages = [
            try FixtureFiles.text("ec2/describe-instances-page1.xml"),
            try FixtureFiles.text("ec2/describe-instances-page2.xml"),
        ]
        let server = try await StubHTTPServer.start { request in
            let parameters = Self.parameters(request)
            if parameters["Action"] == "DescribeInstances" {
                return Self.xml(200, parameters["NextToken"] == nil ? pages[0] : pages[1])
            }
            // The first instance is described; the others vanished in between and keep
            // the state DescribeInstances gave them.
            return Self.statusAnswer(["i-0000000000000000a"])
        }
        defer { Task { await server.stop() } }
        let filters = try EC2Filter.parseList("tag:Role=worker;instance-state-name=running,stopped,stopping")
        let reading = try await collector(server, ids: ["i-0000000000000000b"], filters: filters).collect(now: Date())
        #expect(
            reading.instances.map(\.instanceID) == [
                "i-0000000000000000a", "i-0000000000000000b", "i-0000000000000000c",
            ])
        #expect(reading.instances.map(\.state) == ["running", "stopped", "stopping"])
        #expect(reading.unknown.isEmpty)

        let requests = server.requests.map(Self.parameters)
        #expect(requests.map { $0["Action"] } == ["DescribeInstances", "DescribeInstances", "DescribeInstanceStatus"])
        #expect(requests[0]["Filter.1.Name"] == "tag:Role")
        #expect(requests[0]["Filter.1.Value.1"] == "worker")
        #expect(requests[0]["Filter.2.Name"] == "instance-state-name")
        #expect(requests[0]["Filter.2.Value.3"] == "stopping")
        #expect(requests[0]["NextToken"] == nil)
        #expect(requests[1]["NextToken"] == "eyJ2IjoiMiIsImMiOiJwYWdlMiJ9")
        #expect(Self.requestedIDs(server.requests[2]).count == 3)
    }

    /// SPEC §12: filters matching a fleet larger than the limit watch its first
    /// instances; no further page is asked for, and the reading says so (never a failure).
    @Test func filtersMatchingMoreThanTheLimitWatchTheFirstAndAskNoFurther() async throws {
        @Sendable func page(_ numbers: Range<Int>, next: String?) -> String {
            let items = numbers.map {
                "<item><instanceId>i-\(String(format: "%017x", $0))</instanceId><instanceState><code>16</code><name>running</name></instanceState></item>"
            }
            return
                "<DescribeInstancesResponse><reservationSet><item><instancesSet>\(items.joined())</instancesSet></item></reservationSet>"
                + (next.map { "<nextToken>\($0)</nextToken>" } ?? "") + "</DescribeInstancesResponse>"
        }
        let server = try await StubHTTPServer.start { request in
            let parameters = Self.parameters(request)
            guard parameters["Action"] == "DescribeInstances" else {
                let ids = Self.requestedIDs(request)
                return Self.statusAnswer(ids)
            }
            // Pages of 600, ten of them: 6,000 instances match.
            let number = Int(parameters["NextToken"] ?? "0") ?? 0
            return Self.xml(200, page((number * 600)..<((number + 1) * 600), next: number < 9 ? "\(number + 1)" : nil))
        }
        defer { Task { await server.stop() } }
        let named = "i-0000000000000ffff"
        let reading = try await collector(
            server, ids: [named], filters: try EC2Filter.parseList("tag:Role=worker"), budget: .seconds(30)
        ).collect(now: Date())
        #expect(reading.leftOut)
        #expect(reading.instances.count == EC2Collector.maximumInstances + 1)
        #expect(reading.instances.last?.instanceID == named)
        let actions = server.requests.map { Self.parameters($0)["Action"] ?? "" }
        #expect(actions.filter { $0 == "DescribeInstances" }.count == 2)
        #expect(actions.filter { $0 == "DescribeInstanceStatus" }.count == 11)
    }

    @Test func statusPagesAreFollowed() async throws {
        let impaired = try FixtureFiles.text("ec2/describe-instance-status-impaired.xml")
        let server = try await StubHTTPServer.start { request in
            Self.parameters(request)["NextToken"] == "AAEAAQ+page/2=="
                ? Self.statusAnswer(["i-0c1b2c3d4e5f60718"]) : Self.xml(200, impaired)
        }
        defer { Task { await server.stop() } }
        let ids = ["i-0a1b2c3d4e5f60718", "i-0b1b2c3d4e5f60718", "i-0c1b2c3d4e5f60718"]
        let reading = try await collector(server, ids: ids).collect(now: Date())
        #expect(reading.instances.map(\.instanceID) == ids)
        #expect(reading.instances[0].failedChecks == ["system reachability", "instance reachability"])
        #expect(server.requests.count == 2)
    }

    @Test func atMostOneHundredIdsGoInOneRequest() async throws {
        let server = try await StubHTTPServer.start { request in Self.statusAnswer(Self.requestedIDs(request)) }
        defer { Task { await server.stop() } }
        let ids = (0..<150).map { String(format: "i-%017x", $0) }
        let reading = try await collector(server, ids: ids).collect(now: Date())
        #expect(reading.instances.map(\.instanceID) == ids)
        #expect(server.requests.map { Self.requestedIDs($0).count } == [100, 50])
    }

    @Test func unknownIdsAreTakenOutAndTheRestStillDescribed() async throws {
        let server = try await StubHTTPServer.start { request in
            let ids = Self.requestedIDs(request)
            let unknown = ids.filter { $0.hasSuffix("dead") }
            guard unknown.isEmpty else {
                let message = "The instance IDs '\(unknown.joined(separator: ", "))' do not exist"
                return Self.xml(
                    400,
                    "<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>\(message)</Message></Error></Errors></Response>"
                )
            }
            return Self.statusAnswer(ids, state: "stopped")
        }
        defer { Task { await server.stop() } }
        let reading = try await collector(server, ids: ["i-1111dead", "i-12345678", "i-2222dead"]).collect(now: Date())
        #expect(reading.instances.map(\.instanceID) == ["i-12345678"])
        #expect(reading.unknown.map(\.instanceID) == ["i-1111dead", "i-2222dead"])
        #expect(
            reading.unknown.first?.error
                == "InvalidInstanceID.NotFound: The instance IDs 'i-1111dead, i-2222dead' do not exist")
        #expect(server.requests.count == 2)
    }

    @Test func aNotFoundThatNamesNoRequestedIdIsAnError() async throws {
        let server = try await StubHTTPServer.start { _ in
            Self.xml(
                400,
                "<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>gone</Message></Error></Errors></Response>"
            )
        }
        defer { Task { await server.stop() } }
        await #expect(throws: CollectorError("ec2 DescribeInstanceStatus: InvalidInstanceID.NotFound: gone")) {
            try await collector(server, ids: ["i-12345678"]).collect(now: Date())
        }
    }

    @Test func cloudWatchIsAskedForTheRunningInstancesOnly() async throws {
        let datapoints = try FixtureFiles.text("ec2/cloudwatch-datapoints.xml")
        let server = try await StubHTTPServer.start { request in
            let parameters = Self.parameters(request)
            if parameters["Action"] == "DescribeInstanceStatus" {
                return Self.xml(
                    200,
                    """
                    <DescribeInstanceStatusResponse><instanceStatusSet>
                    <item><instanceId>i-0000000a</instanceId><instanceState><name>running</name></instanceState></item>
                    <item><instanceId>i-0000000b</instanceId><instanceState><name>stopped</name></instanceState></item>
                    <item><instanceId>i-0000000c</instanceId><instanceState><name>running</name></instanceState></item>
                    </instanceStatusSet></DescribeInstanceStatusResponse>
                    """)
            }
            return parameters["Dimensions.member.1.Value"] == "i-0000000a"
                ? Self.xml(200, datapoints)
                : Self.xml(
                    200,
                    "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints/></GetMetricStatisticsResult></GetMetricStatisticsResponse>"
                )
        }
        defer { Task { await server.stop() } }
        let instances = collector(server, ids: ["i-0000000a", "i-0000000b", "i-0000000c"])
        let cpu = EC2MetricCollector(
            instances: instances, cloudWatch: client(server, service: "monitoring"), metric: .cpuUtilization,
            budget: .seconds(8))
        let usages = try await cpu.collect(now: Date())
        #expect(
            usages == [
                EC2MetricAverage(instanceID: "i-0000000a", averagePercent: 97.25),
                EC2MetricAverage(instanceID: "i-0000000c", averagePercent: nil),
            ])
        let metricRequests = server.requests.filter { Self.parameters($0)["Action"] == "GetMetricStatistics" }
        #expect(metricRequests.count == 2)
        for request in metricRequests {
            let parameters = Self.parameters(request)
            #expect(request.headers["authorization"]?.contains("/eu-west-1/monitoring/aws4_request") == true)
            #expect(parameters["Namespace"] == "AWS/EC2")
            #expect(parameters["MetricName"] == "CPUUtilization")
            #expect(parameters["Statistics.member.1"] == "Average")
            #expect(parameters["Period"] == "300")
            #expect(parameters["Dimensions.member.1.Name"] == "InstanceId")
        }
    }

    /// The state source and the CPU source run in the same tick: the instances are
    /// described once for both, and again at the next tick.
    @Test func theStateAndTheCPUCollectorShareOneDescribePerTick() async throws {
        let server = try await StubHTTPServer.start { request in
            Self.parameters(request)["Action"] == "DescribeInstanceStatus"
                ? Self.statusAnswer(["i-0000000a"])
                : Self.xml(
                    200,
                    "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints/></GetMetricStatisticsResult></GetMetricStatisticsResponse>"
                )
        }
        defer { Task { await server.stop() } }
        let instances = collector(server, ids: ["i-0000000a"])
        let cpu = EC2MetricCollector(
            instances: instances, cloudWatch: client(server, service: "monitoring"), metric: .cpuUtilization,
            budget: .seconds(8))
        let describes = { server.requests.filter { Self.parameters($0)["Action"] == "DescribeInstanceStatus" }.count }
        let tick = Date(timeIntervalSince1970: 1_800_000_000)
        async let states = instances.collect(now: tick)
        async let usages = cpu.collect(now: tick)
        #expect(try await states.instances.map(\.instanceID) == ["i-0000000a"])
        #expect(try await usages.map(\.instanceID) == ["i-0000000a"])
        #expect(describes() == 1)
        _ = try await cpu.collect(now: tick.addingTimeInterval(300))
        #expect(describes() == 2)
    }

    @Test func aCloudWatchRefusalFailsTheCPUCollectorWithItsMessage() async throws {
        let denied = try FixtureFiles.text("ec2/cloudwatch-error.xml")
        let server = try await StubHTTPServer.start { request in
            Self.parameters(request)["Action"] == "DescribeInstanceStatus"
                ? Self.statusAnswer(["i-0000000a"]) : Self.xml(403, denied)
        }
        defer { Task { await server.stop() } }
        let cpu = EC2MetricCollector(
            instances: collector(server, ids: ["i-0000000a"]), cloudWatch: client(server, service: "monitoring"),
            metric: .cpuUtilization, budget: .seconds(8))
        let error = await #expect(throws: CollectorError.self) { try await cpu.collect(now: Date()) }
        #expect(error?.message.hasPrefix("cloudwatch GetMetricStatistics: AccessDenied: User: arn:aws:iam::") == true)
    }

    @Test func endpointsFollowTheSDKsOrder() {
        #expect(
            AWSQueryClient.endpoint(service: "ec2", serviceVariable: "EC2", region: "eu-west-1", environment: [:])
                == "https://ec2.eu-west-1.amazonaws.com")
        #expect(
            AWSQueryClient.endpoint(service: "ec2", serviceVariable: "EC2", region: "cn-north-1", environment: [:])
                == "https://ec2.cn-north-1.amazonaws.com.cn")
        let both = ["AWS_ENDPOINT_URL": "http://general:1", "AWS_ENDPOINT_URL_EC2": "http://ec2-only:2"]
        #expect(
            AWSQueryClient.endpoint(service: "ec2", serviceVariable: "EC2", region: "x", environment: both)
                == "http://ec2-only:2")
        #expect(
            AWSQueryClient.endpoint(
                service: "monitoring", serviceVariable: "CLOUDWATCH", region: "x", environment: both)
                == "http://general:1")
    }
}
