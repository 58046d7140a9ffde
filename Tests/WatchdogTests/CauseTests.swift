import Collectors
import Foundation
import Notify
import Testing

@testable import Watchdog

/// SPEC §4.2 as tables: which firing alerts hold which (the built-in causes, the compose
/// graph, `WATCHDOG_INHIBIT`), and what a rule of `WATCHDOG_INHIBIT` may be.
@Suite struct CauseTests {
    static func key(_ text: String) -> SignalKey { SignalKey(parsing: text)! }

    /// `db` (service db, alias database) that `api` depends on; `web` depends on `api`;
    /// `other` is of another project and depends on a `db` there.
    static let places: [String: ContainerPlace] = [
        "p-db-1": ContainerPlace(project: "p", service: "db", names: ["p-db-1", "db", "database"]),
        "p-api-1": ContainerPlace(project: "p", service: "api", dependsOn: ["db"], names: ["p-api-1", "api"]),
        "p-web-1": ContainerPlace(project: "p", service: "web", dependsOn: ["api"], names: ["p-web-1", "web"]),
        "q-other-1": ContainerPlace(project: "q", service: "other", dependsOn: ["db"], names: ["q-other-1"]),
    ]
    static let rules = CauseRules(
        dependencyHosts: ["db-http": "db", "db-alias": "database", "elsewhere": "example.com"],
        orchestratorHost: "p-db-1")

    struct Row: Sendable, CustomTestStringConvertible {
        let firing: [String]
        let held: [String: [String]]
        var rules: [String] = []
        var testDescription: String { firing.joined(separator: " ") }
    }

    static let rows: [Row] = [
        // docker_unreachable holds every container key.
        Row(
            firing: ["docker_unreachable", "container_down:a", "container_restarts:b", "host_memory"],
            held: ["container_down:a": ["docker_unreachable"], "container_restarts:b": ["docker_unreachable"]]),
        // orchestrator_down holds what is read from the orchestrator's metrics.
        Row(
            firing: [
                "orchestrator_down", "orchestrator_stale", "agent_hung:r1", "job_failed", "queue_backlog",
                "rule:slow", "disk_full:/",
            ],
            held: [
                "orchestrator_stale": ["orchestrator_down"], "agent_hung:r1": ["orchestrator_down"],
                "job_failed": ["orchestrator_down"], "queue_backlog": ["orchestrator_down"],
                "rule:slow": ["orchestrator_down"],
            ]),
        // ec2_state holds the same instance's other keys, scheduled events included.
        Row(
            firing: [
                "ec2_state:i-1", "ec2_status_check:i-1", "ec2_cpu_high:i-1", "ec2_memory_high:i-1",
                "ec2_scheduled_event:i-1/system-reboot", "ec2_status_check:i-2", "ec2_scheduled_event:i-10/x",
            ],
            held: [
                "ec2_status_check:i-1": ["ec2_state:i-1"], "ec2_cpu_high:i-1": ["ec2_state:i-1"],
                "ec2_memory_high:i-1": ["ec2_state:i-1"], "ec2_scheduled_event:i-1/system-reboot": ["ec2_state:i-1"],
            ]),
        // A container holds its compose dependents (same project only), the probes of its
        // names and aliases, and the orchestrator when that is its host.
        Row(
            firing: [
                "container_down:p-db-1", "container_down:p-api-1", "container_unhealthy:p-api-1",
                "container_down:q-other-1", "dependency_down:db-http", "dependency_slow:db-alias",
                "certificate_expiry:db-http", "dependency_down:elsewhere", "orchestrator_down", "rule:x",
            ],
            held: [
                "container_down:p-api-1": ["container_down:p-db-1"],
                "container_unhealthy:p-api-1": ["container_down:p-db-1"],
                "dependency_down:db-http": ["container_down:p-db-1"],
                "dependency_slow:db-alias": ["container_down:p-db-1"],
                "certificate_expiry:db-http": ["container_down:p-db-1"],
                "orchestrator_down": ["container_down:p-db-1"],
                // Held behind a held cause: still one message, the root's.
                "rule:x": ["orchestrator_down"],
            ]),
        // Unhealthy is a cause as down is; a chain holds all the way down.
        Row(
            firing: ["container_unhealthy:p-db-1", "container_down:p-api-1", "container_down:p-web-1"],
            held: [
                "container_down:p-api-1": ["container_unhealthy:p-db-1"],
                "container_down:p-web-1": ["container_down:p-api-1"],
            ]),
        // A container never holds its own other keys, nor what does not depend on it.
        Row(
            firing: ["container_down:p-db-1", "container_restarts:p-db-1", "container_down:p-api-1"],
            held: ["container_down:p-api-1": ["container_down:p-db-1"]]),
        // A lone alert holds nothing.
        Row(firing: ["container_down:p-db-1"], held: [:]),
        // Rules of WATCHDOG_INHIBIT, with equal.
        Row(
            firing: ["dependency_down:db", "rule:a", "rule:b", "host_memory", "proc_blocking:1@2"],
            held: [
                "rule:a": ["dependency_down:db"], "rule:b": ["dependency_down:db"],
                "proc_blocking:1@2": ["host_memory"],
            ],
            rules: [
                "alertname=dependency_down,entity=db -> alertname=rule",
                "alertname=host_memory -> alertname=proc_blocking equal instance",
            ]),
        // equal on a label the two do not share holds nothing.
        Row(
            firing: ["dependency_down:db", "rule:a"], held: [:],
            rules: ["alertname=dependency_down -> alertname=rule equal entity"]),
        // A cycle the start-up check cannot see (a rule against the compose graph) holds
        // nobody on it: both are announced.
        Row(
            firing: ["container_down:p-db-1", "container_down:p-api-1"], held: [:],
            rules: ["container_down:p-api-1 -> container_down:p-db-1"]),
    ]

    @Test(arguments: rows)
    func whoHoldsWhom(_ row: Row) throws {
        var rules = Self.rules
        for text in row.rules { rules.rules.append(try InhibitRuleParser.rule(text, number: 1)) }
        let firing = Dictionary(uniqueKeysWithValues: row.firing.map { (Self.key($0), Severity.critical) })
        let graph = CauseGraph(firing: firing, places: Self.places, rules: rules, instance: "host-1")
        let held = Dictionary(
            uniqueKeysWithValues: graph.holders.map { ($0.key.description, $0.value.map(\.description)) })
        #expect(held == row.held)
        // Every held effect is among the effects of each cause holding it.
        for (effect, causes) in graph.holders {
            for cause in causes { #expect(graph.effects[cause]?.contains(effect) == true) }
        }
    }

    @Test(
        arguments: [
            ("alertname=dependency_down,entity=db -> alertname=rule", nil),
            ("alertname=host_memory -> alertname=proc_blocking equal instance", nil),
            ("container_down:db -> container_down:api", nil),
            ("severity=critical -> alertname=host_memory", nil),
            ("alertname=orchestrator_down -> severity=warning,alertname=~host_memory|disk_full", nil),
            // Docker unreachable is a warning, and it holds the containers, critical ones.
            ("severity=critical -> severity=warning", "docker_unreachable"),
            ("alertname=rule,entity=a -> alertname=rule,entity=b", nil),
            ("dependency_down:db -> container_down:api", "cycle"),
            ("alertname=rule -> alertname=rule", "cycle"),
            ("alertname=rule,entity=x -> dependency_down ; dependency_down -> alertname=rule,entity=x", "cycle"),
            ("alertname=rule -> alertname=agent_hung ; orchestrator_stale -> rule", nil),
            ("rule -> orchestrator_down", "cycle"),
            ("host_memory", "no ->"),
            ("host_memory -> disk_full -> rule", "more than one ->"),
            ("nosuch -> disk_full", "unknown signal family"),
            ("host_memory -> disk_full equal", "equal names no label"),
            ("host_memory -> disk_full equal 1x", "not a label name"),
            ("host_memory -> severity=~\"(\"", "does not parse"),
        ] as [(String, String?)])
    func rulesOfWATCHDOG_INHIBIT(_ text: String, problem: String?) {
        let outcome = Result { () throws(ConfigurationError) in
            try Configuration.load(process: ["WATCHDOG_INHIBIT": text], workingDirectory: nil, hostName: "h")
        }
        switch (outcome, problem) {
        case (.success, nil): break
        case (.success, let problem?): Issue.record("accepted, expected \(problem)")
        case (.failure(let error), nil): Issue.record("refused: \(error)")
        case (.failure(let error), let problem?):
            let text = "\(error)"
            #expect(text.contains("WATCHDOG_INHIBIT") && text.contains(problem), "\(text)")
        }
    }

    @Test func aCycleIsNamedRuleByRule() throws {
        let rules = InhibitRuleParser.parse("rule -> dependency_down:x ; dependency_down:x -> rule").rules
        let cycle = try #require(CauseRules.cycle(in: rules))
        #expect(cycle.count == 2)
        #expect(cycle[0].hasPrefix("rule 1 (rule -> dependency_down:x)"))
        #expect(cycle[1].hasPrefix("rule 2 (dependency_down:x -> rule)"))
        // Through a built-in cause, which is named as such.
        let through = try #require(
            CauseRules.cycle(in: InhibitRuleParser.parse("dependency_down -> container_unhealthy").rules))
        #expect(through.contains("the built-in causes container_down and container_unhealthy"))
    }

    @Test func theRulesAreBounded() {
        let many = Array(repeating: "host_memory -> disk_full", count: 51).joined(separator: ";")
        #expect(InhibitRuleParser.parse(many).problems == ["51 rules; at most 50"])
        let long = "host_memory -> key=~\"" + String(repeating: "a", count: 2_100) + "\""
        #expect(InhibitRuleParser.parse(long).problems.first?.contains("over 2000 bytes") == true)
        // A quoted value may hold the separators.
        let quoted = InhibitRuleParser.parse("host_memory -> entity=\"a;b->c equal d\"")
        #expect(quoted.problems.isEmpty && quoted.rules.first?.target.last?.value == "a;b->c equal d")
    }

    @Test func aComposeContainersPlaceComesFromItsLabelsAndNetworks() throws {
        let body = """
            {"Id":"abc","Name":"/p-api-1","State":{"Status":"exited","ExitCode":1},
             "Config":{"Labels":{"com.docker.compose.project":"p","com.docker.compose.service":"api",
               "com.docker.compose.depends_on":"db:service_healthy:false,cache:service_started:true"}},
             "NetworkSettings":{"Networks":{"p_default":{"Aliases":["p-api-1","api","API-Alias"],"DNSNames":["p-api-1","api","abc"]}}}}
            """
        let status = try ContainerStatus.parse(Array(body.utf8))
        let place = ContainerPlace(status)
        #expect(place.project == "p" && place.service == "api")
        #expect(place.dependsOn == ["db", "cache"])
        #expect(place.names == ["p-api-1", "api", "api-alias", "abc"])
        // A network shape this reader does not know costs the aliases, never the container.
        let odd = try ContainerStatus.parse(
            Array(#"{"Name":"/x","State":{"Status":"running"},"NetworkSettings":{"Networks":[1,2]}}"#.utf8))
        #expect(odd.state == "running" && odd.networkAliases.isEmpty)
    }
}
