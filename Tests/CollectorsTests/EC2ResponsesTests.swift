import Foundation
import Testing

@testable import Collectors

/// Answers moto cannot produce, from fixtures shaped like AWS's documentation examples.
@Suite struct EC2ResponsesTests {
    func fixture(_ name: String) throws -> XMLTree.Element {
        try XMLTree.parse(try FixtureFiles.text("ec2/\(name).xml"))
    }

    @Test func scheduledEventsAreReadWithTheirDates() throws {
        let (statuses, token) = EC2Responses.instanceStatuses(try fixture("describe-instance-status-events"))
        #expect(token == nil)
        #expect(statuses.map(\.instanceID) == ["i-1234567890abcdef0", "i-0598c7d356eba48d7"])
        let events = statuses[0].events
        #expect(events.map(\.code) == ["instance-retirement", "system-reboot", "system-maintenance"])
        #expect(events[0].description == "The instance is running on degraded hardware & will be retired")
        #expect(events[0].notBefore == AWSTime.parse("2026-12-01T00:00:00Z"))
        #expect(events[0].notAfter == AWSTime.parse("2026-12-08T00:00:00Z"))
        #expect(events[1].description == "Scheduled reboot <maintenance>")
        #expect(events.map(\.isOver) == [false, false, true])
        #expect(
            statuses[1]
                == EC2InstanceStatus(
                    instanceID: "i-0598c7d356eba48d7", state: "stopped", systemStatus: "not-applicable",
                    instanceStatus: "not-applicable"))
    }

    @Test func impairedChecksNameTheFailingCheckAndThePageTokenIsKept() throws {
        let (statuses, token) = EC2Responses.instanceStatuses(try fixture("describe-instance-status-impaired"))
        #expect(token == "AAEAAQ+page/2==")
        #expect(statuses[0].systemStatus == "impaired")
        #expect(statuses[0].instanceStatus == "impaired")
        #expect(statuses[0].failedChecks == ["system reachability", "instance reachability"])
        #expect(statuses[1].instanceStatus == "initializing")
        #expect(statuses[1].failedChecks.isEmpty)
    }

    @Test func describeInstancesReadsOnlyTheInstancesOwnIdAndState() throws {
        let first = EC2Responses.instances(try fixture("describe-instances-page1"))
        #expect(first.instances.map(\.id) == ["i-0000000000000000a", "i-0000000000000000b"])
        #expect(first.instances.map(\.state) == ["running", "stopped"])
        #expect(first.nextToken == "eyJ2IjoiMiIsImMiOiJwYWdlMiJ9")
        let second = EC2Responses.instances(try fixture("describe-instances-page2"))
        #expect(second.instances.map(\.state) == ["stopping"])
        #expect(second.nextToken == nil)
    }

    @Test func errorDocumentsOfBothQueryDialectsAreKeptVerbatim() throws {
        let throttled = AWSAPIError.parse(
            Array(try FixtureFiles.text("ec2/error-throttling.xml").utf8), status: 503)
        #expect(throttled == AWSAPIError(code: "RequestLimitExceeded", message: "Request limit exceeded.", status: 503))
        #expect(throttled?.isRetried == true)
        let denied = AWSAPIError.parse(Array(try FixtureFiles.text("ec2/cloudwatch-error.xml").utf8), status: 403)
        #expect(denied?.code == "AccessDenied")
        #expect(denied?.message.hasSuffix("is not authorized to perform: cloudwatch:GetMetricStatistics") == true)
        #expect(denied?.isRetried == false)
        #expect(AWSAPIError.parse(Array("<html><body>Bad gateway</body></html>".utf8), status: 502) == nil)
        #expect(AWSAPIError.parse(Array("<h1>not closed".utf8), status: 502) == nil)
    }

    @Test func theLatestCloudWatchDatapointWins() throws {
        let latest = CloudWatchResponses.latestAverage(try fixture("cloudwatch-datapoints"))
        #expect(latest?.average == 97.25)
        #expect(latest?.at == AWSTime.parse("2026-11-23T17:55:00.123456Z"))
        let empty = try XMLTree.parse(
            "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints/></GetMetricStatisticsResult></GetMetricStatisticsResponse>"
        )
        #expect(CloudWatchResponses.latestAverage(empty) == nil)
    }

    @Test func timesWithAnyFractionParse() {
        let whole = AWSTime.parse("2026-11-23T18:01:01Z")
        #expect(whole != nil)
        #expect(AWSTime.parse("2026-11-23T18:01:01.000Z") == whole)
        #expect(AWSTime.parse("2026-11-23T18:01:01.098205Z").map { $0.timeIntervalSince(whole!) } ?? 0 > 0.098)
        #expect(AWSTime.parse("2026-11-23T19:01:01+01:00") == whole)
        #expect(AWSTime.parse("yesterday") == nil)
        #expect(AWSTime.parse("2026-11-23T18:01:01.Z") == nil)
    }

    @Test func notFoundMessagesNameTheirIds() {
        #expect(
            EC2Responses.missingInstanceIDs(
                in: "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist")
                == ["i-0123456789abcdef0", "i-0123456789abcdef1"])
        #expect(EC2Responses.missingInstanceIDs(in: "The instance ID 'i-12345678' does not exist") == ["i-12345678"])
        #expect(EC2Responses.missingInstanceIDs(in: "Nothing here") == [])
    }

    @Test func filtersAndInstanceIdsAreValidated() throws {
        #expect(
            try EC2Filter.parseList("tag:Role=worker; instance-state-name=running,stopped ;")
                == [
                    EC2Filter(name: "tag:Role", values: ["worker"]),
                    EC2Filter(name: "instance-state-name", values: ["running", "stopped"]),
                ])
        #expect(try EC2Filter.parseList("") == [])
        #expect(throws: CollectorError.self) { try EC2Filter.parseList("tag:Role") }
        #expect(throws: CollectorError.self) { try EC2Filter.parseList("=worker") }
        #expect(throws: CollectorError.self) { try EC2Filter.parseList("tag:Role=,") }
        #expect(EC2Filter.isInstanceID("i-12345678"))
        #expect(EC2Filter.isInstanceID("i-0123456789abcdef0"))
        #expect(!EC2Filter.isInstanceID("i-0123456789abcdefg"))
        #expect(!EC2Filter.isInstanceID("i-123"))
        #expect(!EC2Filter.isInstanceID("0123456789abcdef0"))
    }
}
