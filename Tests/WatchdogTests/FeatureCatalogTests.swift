import Foundation
import Notify
import Testing

@testable import Watchdog

/// The lists of features and channels are the one place each is registered; what is
/// derived from them must hold together, or a key of an undeclared family could not
/// be read back from the state file or named in `WATCHDOG_MUTE`.
@Suite struct FeatureCatalogTests {
    /// Every source on at once (containers by name, EC2 by id), read as the watchdog reads them.
    static let everythingOn: [String: String] = [
        "WATCHDOG_ORCH_METRICS_URL": "http://127.0.0.1:9/metrics", "WATCHDOG_CONTAINERS": "db",
        "WATCHDOG_DEPS": "api=http://127.0.0.1:9/health", "WATCHDOG_PROC_ENABLED": "true",
        "WATCHDOG_EC2_INSTANCE_IDS": "i-12345678", "WATCHDOG_EC2_CPU_PCT": "90", "WATCHDOG_EC2_MEM_PCT": "90",
        "AWS_REGION": "eu-west-1", "WATCHDOG_HEARTBEATS": "job=1h",
    ]

    @Test func everySourceReportsOnlyFamiliesItsFeatureDeclared() throws {
        let configuration = try Configuration.load(
            process: Self.everythingOn, workingDirectory: nil, hostName: "h"
        ).configuration
        let sources = FeatureCatalog.sources(for: configuration, clock: ContinuousClock())
        #expect(
            sources.map(\.name) == [
                "memory", "disk:/", "orchestrator", "docker", "dependencies", "processes", "ec2", "ec2_cpu",
                "ec2_memory", "heartbeats",
            ])
        let declared = Set(FeatureCatalog.all.flatMap { $0.families })
        for source in sources {
            switch source.ownership {
            case .families(let families):
                #expect(families.isSubset(of: declared), "\(source.name): \(families.subtracting(declared))")
            case .key(let key):
                #expect(declared.contains(key.family), "\(source.name)")
            case .keys(let keys):
                #expect(keys.allSatisfy { declared.contains($0.family) }, "\(source.name)")
            }
        }
    }

    @Test func everyFamilyIsKnownByNameOnceAndReadBack() throws {
        let names = SignalFamily.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count, "a family declared twice")
        #expect(SignalFamily.allCases.contains(.collectorFailed))
        for family in SignalFamily.allCases {
            #expect(SignalFamily(rawValue: family.rawValue) == family)
            let key = SignalKey(family, "x")
            #expect(try JSONDecoder().decode(SignalKey.self, from: JSONEncoder().encode(key)) == key)
        }
        #expect(SignalFamily(rawValue: "no_such_family") == nil)
        #expect(SignalFamily.allCases.filter(\.isEdge) == [.jobFailed])
    }

    @Test func everyVariableComesFromExactlyOneList() {
        let listed =
            ConfigVariable.coreVariables + ChannelCatalog.all.flatMap { $0.variables } + ConfigVariable.onCallVariables
            + ConfigVariable.causeVariables + ConfigVariable.historyVariables
            + FeatureCatalog.all.flatMap { $0.variables }
        #expect(listed == ConfigVariable.all)
        #expect(Set(ConfigVariable.all.map(\.name)).count == ConfigVariable.all.count, "a variable listed twice")
    }

    @Test func theChannelsAreBuiltFromTheirListWithTheConsoleOnlyAsTheFallback() throws {
        func names(_ environment: [String: String]) throws -> [String] {
            let configuration = try Configuration.load(process: environment, workingDirectory: nil, hostName: "h")
                .configuration
            return ChannelCatalog.channels(for: configuration, logger: .init(label: "test")).map(\.name)
        }
        #expect(try names([:]) == ["console"])
        let all = [
            "WATCHDOG_TELEGRAM_BOT_TOKEN": "1:x", "WATCHDOG_TELEGRAM_CHAT_ID": "-1",
            "WATCHDOG_SLACK_WEBHOOK_URL": "https://hooks.example/x", "WATCHDOG_WEBHOOK_URL": "https://hook.example/y",
            "WATCHDOG_ALERTMANAGER_URL": "http://127.0.0.1:9093",
        ]
        #expect(try names(all) == ["telegram", "slack", "webhook", "alertmanager"])
        #expect(
            try names(all.merging(["WATCHDOG_CONSOLE": "true"]) { $1 }) == [
                "telegram", "slack", "webhook", "alertmanager", "console",
            ])
    }
}
