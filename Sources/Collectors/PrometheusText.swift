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
        var samples: [PrometheusSample] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                samples.append(try parseSample(Array(trimmed.utf8)))
            } catch let error as LineError {
                throw CollectorError("prometheus text line \(lineNumber): \(error.message)")
            }
            if samples.count > sampleLimit {
                throw CollectorError("prometheus text: more than \(sampleLimit) samples")
            }
        }
        return samples
    }

    struct LineError: Error {
        let message: String
    }

    static func parseSample(_ bytes: [UInt8]) throws -> PrometheusSample {
        var index = 0
        let nameStart = index
        while index < bytes.count, isNameByte(bytes[index], first: index == nameStart) { index += 1 }
        guard index > nameStart else { throw LineError(message: "expected a metric name") }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
        var labels: [PrometheusSample.Label] = []
        skipSpaces(bytes, &index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "{") {
            index += 1
            while true {
                skipSpaces(bytes, &index)
                guard index < bytes.count else { throw LineError(message: "unterminated label set") }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    break
                }
                let labelStart = index
                while index < bytes.count, isNameByte(bytes[index], first: index == labelStart, colon: false) {
                    index += 1
                }
                guard index > labelStart else { throw LineError(message: "expected a label name") }
                let labelName = String(decoding: bytes[labelStart..<index], as: UTF8.self)
                skipSpaces(bytes, &index)
                guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                    throw LineError(message: "expected = after label \(labelName)")
                }
                index += 1
                skipSpaces(bytes, &index)
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw LineError(message: "expected a quoted value for label \(labelName)")
                }
                index += 1
                var value: [UInt8] = []
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\\") {
                        guard index < bytes.count else { break }
                        let escaped = bytes[index]
                        index += 1
                        switch escaped {
                        case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                        case UInt8(ascii: "\\"), UInt8(ascii: "\""): value.append(escaped)
                        default: value += [UInt8(ascii: "\\"), escaped]
                        }
                    } else if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    } else {
                        value.append(byte)
                    }
                }
                guard closed else { throw LineError(message: "unterminated value of label \(labelName)") }
                labels.append(.init(name: labelName, value: String(decoding: value, as: UTF8.self)))
                skipSpaces(bytes, &index)
                if index < bytes.count, bytes[index] == UInt8(ascii: ",") { index += 1 }
            }
        }
        skipSpaces(bytes, &index)
        let rest = String(decoding: bytes[index...], as: UTF8.self)
        // OpenMetrics exemplars follow a " # ".
        let fields = rest.split(separator: "#", maxSplits: 1).first.map { $0.split(separator: " ") } ?? []
        guard let valueText = fields.first else { throw LineError(message: "expected a value") }
        guard let value = parseValue(valueText) else {
            throw LineError(message: "invalid value \(valueText.prefix(40))")
        }
        var timestamp: Int64?
        if fields.count > 1 {
            guard let stamp = Int64(fields[1]) ?? Double(fields[1]).flatMap({ $0.isFinite ? Int64($0 * 1000) : nil })
            else {
                throw LineError(message: "invalid timestamp \(fields[1].prefix(40))")
            }
            timestamp = stamp
        }
        guard fields.count <= 2 else { throw LineError(message: "unexpected text after the timestamp") }
        return PrometheusSample(name: name, labels: labels, value: value, timestamp: timestamp)
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

    static func skipSpaces(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    }
}
