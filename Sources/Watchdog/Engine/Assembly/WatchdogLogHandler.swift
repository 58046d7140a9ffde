import FoundationEssentials
import FoundationGaps
import Logging
import Synchronization

/// Writes log lines to standard error as text or as one JSON object per line
/// (`WATCHDOG_LOG_FORMAT`). Standard output is left to the console channel.
public struct WatchdogLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: Configuration.LogFormat
    private let sink: LineSink

    public init(label: String, level: Logger.Level, format: Configuration.LogFormat, sink: LineSink = .standardError) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = Date().formatted(.iso8601)
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted("\($0.value)"))" }
            sink.write(
                ([time, event.level.rawValue, "[\(label)]", "\(event.message)"] + fields)
                    .joined(separator: " "))
        case .json:
            var object: [String: JSONValue] = [:]
            for (key, value) in merged { object[key] = JSONValue("\(value)") }
            object["time"] = JSONValue(time)
            object["level"] = JSONValue(event.level.rawValue)
            object["label"] = JSONValue(label)
            object["message"] = JSONValue("\(event.message)")
            sink.write(JSONValue.object(object).encodedString)
        }
    }

    /// Values with spaces or quotes are quoted so a line stays machine-splittable.
    static func quoted(_ value: String) -> String {
        let oneLine = value.replacing("\n", with: "\\n")
        guard oneLine.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || oneLine.isEmpty else {
            return oneLine
        }
        return "\"" + oneLine.replacing("\"", with: "\\\"") + "\""
    }
}

/// Where log lines go: a descriptor written one whole line at a time under a lock, so
/// lines from concurrent tasks never interleave.
public final class LineSink: Sendable {
    private let output: Mutex<OutputDescriptor>

    public init(_ output: OutputDescriptor) {
        self.output = Mutex(output)
    }

    public static let standardError = LineSink(.standardError)

    func write(_ line: String) {
        output.withLock { try? $0.writeLine(line) }
    }
}
