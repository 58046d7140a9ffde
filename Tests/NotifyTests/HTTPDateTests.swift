import Foundation
import NIOHTTP1
import Testing

@testable import Notify

@Suite struct HTTPDateTests {
    /// RFC 9110 §5.6.7's example in its three forms: 1994-11-06 08:49:37 UTC.
    @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
    func theThreeFormsOfRFC9110(text: String) {
        #expect(HTTPDate.parse(text) == Date(timeIntervalSince1970: 784_111_777))
    }

    @Test func leapDaysCenturiesAndTwoDigitYears() {
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 23:59:59 GMT") == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT") == Date(timeIntervalSince1970: 0))
        #expect(HTTPDate.parse("Tue, 29 Feb 2000 12:00:00 GMT") == Date(timeIntervalSince1970: 951_825_600))
        #expect(HTTPDate.parse("Tuesday, 01-Dec-26 00:00:00 GMT") == Date(timeIntervalSince1970: 1_796_083_200))
    }

    @Test(arguments: [
        "", "soon", "Fri, 30 Feb 2024 00:00:00 GMT", "Mon, 29 Feb 1900 00:00:00 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT", "Sun Nov 6 08:49:37 94",
        "\u{F3}~\u{0F}\u{00}\u{0F}\u{F3}", String(repeating: "Sun, 06 Nov 1994 08:49:37 GMT ", count: 10),
    ])
    func anythingElseIsNoDate(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test func retryAfterReadsSecondsOrADateAndNeverWaitsForThePast() {
        let now = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPPost.retryAfter(HTTPHeaders([("Retry-After", " 17 ")]), now: now) == 17)
        #expect(HTTPPost.retryAfter(HTTPHeaders([("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT")]), now: now) == 30)
        #expect(HTTPPost.retryAfter(HTTPHeaders([("Retry-After", "Sun, 06 Nov 1994 08:00:00 GMT")]), now: now) == 0)
        #expect(HTTPPost.retryAfter(HTTPHeaders([("Retry-After", "later")]), now: now) == nil)
        #expect(HTTPPost.retryAfter(HTTPHeaders(), now: now) == nil)

        // As an answer arrives: a date is measured from the answer's own Date header.
        #expect(
            HTTPPost.retryAfter(
                HTTPHeaders([
                    ("Date", "Sun, 06 Nov 1994 08:49:00 GMT"), ("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT"),
                ])
            ) == 67)
        #expect(HTTPPost.retryAfter(HTTPHeaders([("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT")])) == nil)
        #expect(HTTPPost.retryAfter(HTTPHeaders([("Retry-After", "9")])) == 9)
    }
}
