import Collectors

/// The events stream's parsers of outside input, on raw bytes, for the fuzz targets and
/// their replayed inputs: the bytes as an events stream arriving in odd chunks, each
/// event read and judged, and as a container's log stream. Each must return for any
/// input.
public enum ContainerEventParsers {
    public static func stream(_ bytes: [UInt8]) {
        var reader = JSONLinesReader(maximumLineBytes: 4_096)
        var cursor = EventCursor()
        var endings = ContainerEndings()
        var offset = 0
        var chunk = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            let lines = (try? reader.feed(bytes[offset..<end])) ?? []
            for line in lines {
                guard let event = DockerEvent.parse(line), cursor.admit(event) else { continue }
                _ = endings.apply(event)
            }
            _ = cursor.since
            offset = end
            chunk = chunk % 97 + 13
        }
        let text = DockerLogStream.text(of: bytes, tty: false)
        _ = DockerLogStream.tail(text, lines: 5, secrets: ["secret"])
    }
}
