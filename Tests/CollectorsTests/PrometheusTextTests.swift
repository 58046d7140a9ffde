import Foundation
import Testing

@testable import Collectors

@Suite struct PrometheusTextTests {
    @Test func parsesHelpTypeLabelsEscapesTimestampsAndSpecialValues() throws {
        let text = #"""
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # Escaping in label values:
            msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
            something_weird{problem="division by zero"} +Inf -3982045
            negative{a="b",} -Inf
            not_a_number NaN
            # A histogram and a summary are plain series.
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            rpc_duration_seconds{quantile="0.99"} 76656
            openmetrics_total 5 # {trace_id="abc"} 1.0
            # EOF
            """#
        let samples = try PrometheusText.parse(text)
        #expect(samples.count == 12)
        #expect(samples[0].name == "http_requests_total")
        #expect(samples[0].label("code") == "200" && samples[0].label("method") == "post")
        #expect(samples[0].timestamp == 1_395_066_363_000)
        #expect(samples[1].value == 3)
        #expect(samples[2].label("path") == #"C:\DIR\FILE.TXT"#)
        #expect(samples[2].label("error") == "Cannot find file:\n\"FILE.TXT\"")
        #expect(samples[2].value == 1_458_255_915)
        #expect(samples[3].labels.isEmpty && samples[3].value == 12.47)
        #expect(samples[4].value == .infinity && samples[4].timestamp == -3_982_045)
        #expect(samples[5].value == -.infinity && samples[5].label("a") == "b")
        #expect(samples[6].value.isNaN)
        #expect(samples[8].label("le") == "+Inf")
        #expect(samples[11].name == "openmetrics_total" && samples[11].value == 5)
    }

    @Test func windowsLineEndsTabsAndTrailingBlanksAreBlanks() throws {
        let samples = try PrometheusText.parse("# TYPE a gauge\r\na{x=\"1\"}\t2\t17\r\n  b 3  \r\n\r\n")
        #expect(samples.map(\.name) == ["a", "b"])
        #expect(samples[0].value == 2 && samples[0].timestamp == 17 && samples[0].label("x") == "1")
        #expect(samples[1].value == 3 && samples[1].timestamp == nil)
    }

    @Test(arguments: [
        ("{a=\"b\"} 1", "line 1: expected a metric name"),
        ("m{a \"b\"} 1", "line 1: expected = after label a"),
        ("m{a=\"b\" 1", "line 1: expected a label name"),
        ("ok 1\nm{a=b} 1", "line 2: expected a quoted value for label a"),
        ("m{a=\"b} 1", "line 1: unterminated value of label a"),
        ("m", "line 1: expected a value"),
        ("m one", "line 1: invalid value one"),
        ("m 1 soon", "line 1: invalid timestamp soon"),
        ("m 1 2 3", "line 1: unexpected text after the timestamp"),
        ("<html>", "line 1: expected a metric name"),
        ("m 1 1e300", "line 1: invalid timestamp 1e300"),
        ("m 1 -inf", "line 1: invalid timestamp -inf"),
    ])
    func malformedLinesAreErrorsNamingTheLine(text: String, message: String) {
        #expect {
            try PrometheusText.parse(text)
        } throws: { error in
            "\(error)".hasPrefix("prometheus text \(message)")
        }
    }
}
