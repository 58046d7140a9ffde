import Collectors
import Foundation
import Testing

/// The pieces of SPEC §10.2's events stream that need no daemon: reading the stream line
/// by line within a bound, reading an event, resuming after a reconnect, and decoding a
/// container's log stream.
@Suite struct DockerEventsTests {
    static let die = #"""
        {"status":"die","id":"abc123","from":"busybox","Type":"container","Action":"die","Actor":{"ID":"abc123","Attributes":{"exitCode":"3","image":"busybox","name":"web","com.docker.compose.project":"shop","com.docker.compose.service":"web"}},"scope":"local","time":1800000000,"timeNano":1800000000123456789}
        """#

    @Test func linesAreSplitAcrossChunksAndALineOverTheBoundIsAnError() throws {
        var reader = JSONLinesReader(maximumLineBytes: 16)
        #expect(try reader.feed(Array("{\"a\":1}\n{\"b\"".utf8)) == [Array("{\"a\":1}".utf8)])
        #expect(reader.bufferedBytes == 4)
        #expect(try reader.feed(Array(":2}\r\n\n".utf8)) == [Array("{\"b\":2}".utf8)])
        #expect(throws: JSONLinesReader.LineTooLong(limit: 16)) {
            try reader.feed(Array(repeating: UInt8(ascii: "x"), count: 17))
        }
        #expect(reader.bufferedBytes == 0)
        #expect(try reader.feed(Array("ok\n".utf8)) == [Array("ok".utf8)])
    }

    @Test func aDieEventIsReadWithItsExitCodeAndComposeLabels() throws {
        let event = try #require(DockerEvent.parse(Array(Self.die.utf8)))
        #expect(event.action == .die && event.exitCode == 3 && event.name == "web" && event.id == "abc123")
        #expect(event.composeProject == "shop" && event.composeService == "web")
        #expect(event.timeNano == 1_800_000_000_123_456_789)
        let health =
            #"{"Type":"container","Action":"health_status: unhealthy","Actor":{"ID":"x","Attributes":{"name":"db"}},"time":5}"#
        #expect(DockerEvent.parse(Array(health.utf8))?.action == .health("unhealthy"))
        #expect(DockerEvent.parse(Array(health.utf8))?.timeNano == 5_000_000_000)
        let network = #"{"Type":"network","Action":"connect","Actor":{"ID":"n"},"time":5}"#
        #expect(DockerEvent.parse(Array(network.utf8)) == nil)
        #expect(DockerEvent.parse(Array("not json".utf8)) == nil)
        let exec = #"{"Type":"container","Action":"exec_start: sh -c true","Actor":{"ID":"x"},"time":5}"#
        #expect(DockerEvent.parse(Array(exec.utf8))?.action == .other)
        let huge = #"{"Type":"container","Action":"die","Actor":{"ID":"x"},"time":99999999999999}"#
        #expect(DockerEvent.parse(Array(huge.utf8))?.timeNano == Int64.max)
    }

    @Test func aReconnectAsksFromALittleEarlierAndDropsWhatItSaw() throws {
        var cursor = EventCursor()
        #expect(cursor.since == nil)
        let first = DockerEvent(timeNano: 10_000_000_005, id: "a", name: "web", action: .kill, signal: "15")
        let second = DockerEvent(timeNano: 10_500_000_000, id: "a", name: "web", action: .die, exitCode: 0)
        let admitted = [cursor.admit(first), cursor.admit(second)]
        #expect(admitted == [true, true])
        #expect(cursor.since == "8.500000000")
        // After the reconnect the daemon sends them again, and one new one; a very old
        // event is dropped too.
        let again = [
            cursor.admit(first), cursor.admit(second),
            cursor.admit(DockerEvent(timeNano: 10_500_000_000, id: "a", name: "web", action: .stop)),
            cursor.admit(DockerEvent(timeNano: 1_000, id: "b", name: "db", action: .die)),
        ]
        #expect(again == [false, false, true, false])
    }

    @Test func aMultiplexedLogIsDecodedAndItsTailCutAndRedacted() {
        func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
            let bytes = Array(text.utf8)
            let n = UInt32(bytes.count)
            return [stream, 0, 0, 0, UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
                + bytes
        }
        let body = frame(1, "starting\n") + frame(2, "token=s3cr3t\n") + frame(1, "MARKER exit 3\n")
        let text = DockerLogStream.text(of: body, tty: false)
        #expect(text == "starting\ntoken=s3cr3t\nMARKER exit 3\n")
        #expect(DockerLogStream.tail(text, lines: 2, secrets: ["s3cr3t"]) == "token=<redacted>\nMARKER exit 3")
        // A truncated frame ends the text; a header that is none is raw text from there.
        #expect(DockerLogStream.text(of: Array(frame(1, "abcdef").prefix(11)), tty: false) == "abc")
        #expect(DockerLogStream.text(of: Array("plain tty output".utf8), tty: false) == "plain tty output")
        #expect(DockerLogStream.text(of: Array("raw".utf8), tty: true) == "raw")
        let long = String(repeating: "x", count: 5_000)
        let cut = DockerLogStream.tail(long + "\nlast", lines: 5, secrets: [])
        #expect(cut.count == 1_000 && cut.hasPrefix("…") && cut.hasSuffix("last"))
    }
}

@Suite struct ContainerListTests {
    static let list = #"""
        [{"Id":"a1","Names":["/web"],"State":"running","Status":"Up 5 minutes (healthy)","Labels":{"com.docker.compose.project":"shop","com.docker.compose.service":"web"}},
         {"Id":"b2","Names":["/db"],"State":"running","Status":"Up 2 hours (unhealthy)","Labels":{}},
         {"Id":"c3","Names":["/worker"],"State":"exited","Status":"Exited (3) 1 minute ago"},
         {"Id":"d4","Names":["/cache"],"State":"running","Status":"Up 1 second (health: starting)"},
         {"Id":"e5","Names":["/plain"],"State":"running","Status":"Up 3 days"},
         {"Names":["/noid"],"State":"running"}]
        """#

    @Test func theListIsReadWithStateHealthAndComposeLabels() throws {
        let entries = try ContainerList.entries(Array(Self.list.utf8))
        #expect(entries.map(\.name) == ["web", "db", "worker", "cache", "plain"])
        #expect(
            entries[0]
                == ListedContainer(
                    id: "a1", name: "web", state: "running", health: "healthy", composeProject: "shop",
                    composeService: "web"))
        #expect(entries.map(\.health) == ["healthy", "unhealthy", nil, "starting", nil])
        #expect(try ContainerList.names(Array(Self.list.utf8)) == entries.map(\.name))
        #expect(throws: CollectorError.self) { try ContainerList.entries(Array("{}".utf8)) }
    }

    @Test func onlyContainersThatChangedOrAreNotWellAreInspected() throws {
        let entries = try ContainerList.entries(Array(Self.list.utf8))
        let lastSeen: [String: (id: String, state: String)] = [
            "web": ("a1", "running"), "db": ("b2", "running"), "worker": ("c3", "exited"), "cache": ("d4", "running"),
            "plain": ("e0", "running"),
        ]
        // db unhealthy, worker not running, cache starting, plain recreated (new id).
        #expect(ContainerList.toInspect(entries, lastSeen: lastSeen, named: []) == ["db", "worker", "cache", "plain"])
        // An event named web: inspected too.
        #expect(ContainerList.toInspect(entries, lastSeen: lastSeen, named: ["web"]).first == "web")
        // An idle tick of healthy, known containers inspects nothing.
        let healthy = [entries[0], entries[4]]
        #expect(
            ContainerList.toInspect(
                healthy, lastSeen: ["web": ("a1", "running"), "plain": ("e5", "running")], named: []
            ).isEmpty)
    }
}
