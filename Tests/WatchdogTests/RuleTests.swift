import Collectors
import Foundation
import Notify
import Testing

@testable import Watchdog

@Suite struct RuleTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func rulesParseWithLabelsOperatorsDurationsAndSeverity() throws {
        let rules = try Rule.parseList(
            #"disk: node_filesystem_avail_bytes{mountpoint="/",fstype="ext4"} < 1e9 for 5m critical; q: queue.counts.failed >= 10 ; up: up != 1"#
        )
        #expect(rules.count == 3)
        #expect(rules[0].name == "disk")
        #expect(rules[0].metric == "node_filesystem_avail_bytes")
        #expect(rules[0].matchers == ["mountpoint": "/", "fstype": "ext4"])
        #expect(rules[0].comparison == .less && rules[0].threshold == 1e9)
        #expect(rules[0].holdFor == .seconds(300))
        #expect(rules[0].severity == .critical)
        #expect(rules[1].metric == "queue.counts.failed" && rules[1].comparison == .greaterOrEqual)
        #expect(rules[1].severity == .warning && rules[1].holdFor == nil)
        #expect(rules[2].comparison == .notEqual)
    }

    @Test(arguments: [
        ("no colon here", "has no \"name:\""),
        ("x: metric", "no comparison"),
        ("x: metric > lots", "the comparison needs a number"),
        ("x: metric > 1 for ever", "\"for\" needs a duration"),
        ("x: metric > 1 urgent", "unknown severity urgent"),
        ("x: metric{a=b} > 1", "the value of label a must be quoted"),
        ("x: m > 1; x: m < 2", "rule x is defined twice"),
        ("bad name: m > 1", "may only use letters"),
    ])
    func badRulesAreErrors(text: String, message: String) {
        #expect {
            try Rule.parseList(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    func series(_ value: Double, instance: String) -> PrometheusSample {
        PrometheusSample(name: "queue_depth", labels: [.init(name: "instance", value: instance)], value: value)
    }

    @Test func aRuleWithForFiresOnlyAfterItsDurationAndEachSeriesIsItsOwnKey() throws {
        let rules = try Rule.parseList("deep: queue_depth > 100 for 2m")
        var since: [String: Date] = [:]
        func evaluate(_ seconds: Double, _ a: Double, _ b: Double) -> [String: Bool] {
            let signals = Rule.evaluate(
                rules, on: [series(a, instance: "a"), series(b, instance: "b")], activeSince: &since,
                now: t0.addingTimeInterval(seconds), texts: Texts(.en))
            return Dictionary(signals.map { ($0.key.description, $0.active) }) { $1 }
        }
        let a = "rule:deep{instance=\"a\"}"
        let b = "rule:deep{instance=\"b\"}"
        #expect(evaluate(0, 150, 150) == [a: false, b: false])
        #expect(evaluate(60, 150, 150) == [a: false, b: false])
        #expect(evaluate(120, 150, 50) == [a: true, b: false])  // a held 2 m; b dropped
        #expect(evaluate(180, 150, 150) == [a: true, b: false])  // b starts again from 0
        #expect(evaluate(300, 50, 150) == [a: false, b: true])  // each resolves on its own
    }

    @Test func nanNeverHolds() throws {
        var since: [String: Date] = [:]
        let signals = Rule.evaluate(
            try Rule.parseList("x: m != 0"), on: [PrometheusSample(name: "m", labels: [], value: .nan)],
            activeSince: &since, now: t0, texts: Texts(.en))
        #expect(signals.map(\.active) == [false])
    }
}
