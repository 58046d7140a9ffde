import Foundation
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
            var object: [String: String] = [:]
            for (key, value) in merged { object[key] = "\(value)" }
            object["time"] = time
            object["level"] = event.level.rawValue
            object["label"] = label
            object["message"] = "\(event.message)"
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            sink.write(String(decoding: data, as: UTF8.self))
        }
    }

    /// Values with spaces or quotes are quoted so a line stays machine-splittable.
    static func quoted(_ value: String) -> String {
        let oneLine = value.replacingOccurrences(of: "\n", with: "\\n")
        guard oneLine.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || oneLine.isEmpty else {
            return oneLine
        }
        return "\"" + oneLine.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Where log lines go: a file handle written one whole line at a time under a lock, so
/// lines from concurrent tasks never interleave.
public final class LineSink: Sendable {
    private let handle: Mutex<FileHandle>

    public init(_ handle: FileHandle) {
        self.handle = Mutex(handle)
    }

    public static let standardError = LineSink(.standardError)

    func write(_ line: String) {
        handle.withLock { try? $0.write(contentsOf: Data((line + "\n").utf8)) }
    }
}
