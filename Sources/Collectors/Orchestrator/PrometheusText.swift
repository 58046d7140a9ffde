/// One sample of the Prometheus text exposition format.
public struct PrometheusSample: Sendable, Encodable, Equatable {
    public let name: String
    /// Label pairs sorted by name.
    public let labels: [Label]
    public let value: Double
    /// Milliseconds since the epoch, when the exposition gave one.
    public let timestamp: Int64?

    public struct Label: Sendable, Encodable, Equatable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(name: String, labels: [Label], value: Double, timestamp: Int64? = nil) {
        self.name = name
        self.labels = labels.sorted { $0.name < $1.name }
        self.value = value
        self.timestamp = timestamp
    }

    public func label(_ name: String) -> String? {
        labels.first { $0.name == name }?.value
    }
}

/// A parser for the Prometheus text exposition format (and the sample lines of
/// OpenMetrics): `# HELP`/`# TYPE` and other comments are skipped, labels may carry
/// `\\`, `\"` and `\n` escapes, values may be `NaN`, `+Inf`, `-Inf` or in exponent
/// form, and a timestamp may follow. Histograms and summaries are their plain series
/// (`_bucket`, `_sum`, `_count`, quantiles). Pure; errors name the line.
public enum PrometheusText {
    public static let sampleLimit = 1_000_000

    public static func parse(_ text: String) throws -> [PrometheusSample] {
        var text = text
        // One pass over the UTF-8 bytes: no per-line strings or arrays (a node-exporter
        // page is about a thousand lines, scraped every tick).
        return try text.withUTF8 { bytes in
            var samples: [PrometheusSample] = []
            var lineNumber = 0
            var lineStart = 0
            while lineStart <= bytes.count {
                lineNumber += 1
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                defer { lineStart = lineEnd + 1 }
                var first = lineStart
                skipSpaces(bytes, &first, end: lineEnd)
                var last = lineEnd
                while last > first, isSpace(bytes[last - 1]) || bytes[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                if first == last || bytes[first] == UInt8(ascii: "#") { continue }
                do {
                    samples.append(try parseSample(UnsafeBufferPointer(rebasing: bytes[first..<last])))
                } catch let error as LineError {
                    throw CollectorError("prometheus text line \(lineNumber): \(error.message)")
                }
                if samples.count > sampleLimit {
                    throw CollectorError("prometheus text: more than \(sampleLimit) samples")
                }
            }
            return samples
        }
    }

    struct LineError: Error {
        let message: String
    }

    /// One sample line, without leading or trailing blanks.
    static func parseSample(_ bytes: UnsafeBufferPointer<UInt8>) throws -> PrometheusSample {
        let end = bytes.count
        var index = 0
        while index < end, isNameByte(bytes[index], first: index == 0) { index += 1 }
        guard index > 0 else { throw LineError(message: "expected a metric name") }
        let name = text(bytes, 0..<index)
        var labels: [PrometheusSample.Label] = []
        skipSpaces(bytes, &index, end: end)
        if index < end, bytes[index] == UInt8(ascii: "{") {
            index += 1
            while true {
                skipSpaces(bytes, &index, end: end)
                guard index < end else { throw LineError(message: "unterminated label set") }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    break
                }
                let labelStart = index
                while index < end, isNameByte(bytes[index], first: index == labelStart, colon: false) {
                    index += 1
                }
                guard index > labelStart else { throw LineError(message: "expected a label name") }
                let labelName = text(bytes, labelStart..<index)
                skipSpaces(bytes, &index, end: end)
                guard index < end, bytes[index] == UInt8(ascii: "=") else {
                    throw LineError(message: "expected = after label \(labelName)")
                }
                index += 1
                skipSpaces(bytes, &index, end: end)
                guard index < end, bytes[index] == UInt8(ascii: "\"") else {
                    throw LineError(message: "expected a quoted value for label \(labelName)")
                }
                index += 1
                guard let value = labelValue(bytes, &index) else {
                    throw LineError(message: "unterminated value of label \(labelName)")
                }
                labels.append(.init(name: labelName, value: value))
                skipSpaces(bytes, &index, end: end)
                if index < end, bytes[index] == UInt8(ascii: ",") { index += 1 }
            }
        }
        // The value and an optional timestamp, separated by blanks; OpenMetrics
        // exemplars follow a "#".
        var fields: [Range<Int>] = []
        while index < end, bytes[index] != UInt8(ascii: "#") {
            skipSpaces(bytes, &index, end: end)
            let fieldStart = index
            while index < end, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: "#") { index += 1 }
            if index > fieldStart { fields.append(fieldStart..<index) }
            guard fields.count <= 2 else { throw LineError(message: "unexpected text after the timestamp") }
        }
        guard let valueField = fields.first else { throw LineError(message: "expected a value") }
        let valueText = Substring(text(bytes, valueField))
        guard let value = parseValue(valueText) else {
            throw LineError(message: "invalid value \(valueText.prefix(40))")
        }
        var timestamp: Int64?
        if fields.count > 1 {
            let stampText = Substring(text(bytes, fields[1]))
            guard
                let stamp = Int64(stampText)
                    ?? Double(stampText).flatMap({
                        $0.isFinite ? Int64(exactly: ($0 * 1000).rounded(.towardZero)) : nil
                    })
            else {
                throw LineError(message: "invalid timestamp \(stampText.prefix(40))")
            }
            timestamp = stamp
        }
        return PrometheusSample(name: name, labels: labels, value: value, timestamp: timestamp)
    }

    /// A quoted label value from just after its opening quote; `index` ends after the
    /// closing quote. Nil when the quote is never closed. Escapes: `\n`, `\\`, `\"`; any
    /// other backslash is kept as written.
    static func labelValue(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> String? {
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return text(bytes, start..<(index - 1))
            case UInt8(ascii: "\\"):
                return escapedLabelValue(bytes, from: start, &index)
            default:
                index += 1
            }
        }
        return nil
    }

    /// The slow path of `labelValue`, for values with escapes.
    static func escapedLabelValue(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ index: inout Int) -> String? {
        var value = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\\") {
                guard index < bytes.count else { return nil }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): value.append(escaped)
                default: value += [UInt8(ascii: "\\"), escaped]
                }
            } else if byte == UInt8(ascii: "\"") {
                return String(decoding: value, as: UTF8.self)
            } else {
                value.append(byte)
            }
        }
        return nil
    }

    static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "NaN": .nan
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        default: Double(text)
        }
    }

    static func isNameByte(_ byte: UInt8, first: Bool, colon: Bool = true) -> Bool {
        let letter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
        if letter || (colon && byte == UInt8(ascii: ":")) { return true }
        return !first && byte >= 0x30 && byte <= 0x39
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    static func skipSpaces(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, end: Int) {
        while index < end, isSpace(bytes[index]) { index += 1 }
    }
}
