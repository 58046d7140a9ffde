import Collectors
import FoundationEssentials
import FoundationGaps
import Glibc

/// Reads and atomically writes the state file. Pure file handling, no policy: the
/// `StateStore` decides when to write and what to do about failures.
public struct StateFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// A state file larger than this is not ours: what the watchdog writes is bounded by
    /// `SourceLimits` (at most a few MB of alerts) and the outboxes' byte capacity
    /// (1 MiB per channel), well below it; reading a larger one would cost memory in
    /// proportion (docs/limits.md).
    static let sizeLimit = 16 * 1024 * 1024

    public enum LoadResult: Sendable, Equatable {
        case missing
        case loaded(PersistedState)
        /// Unreadable, corrupt, or from a newer version: the reason says which.
        case unusable(reason: String)
    }

    public func load() -> LoadResult {
        let bytes: Data
        do {
            guard FileManager.default.fileExists(atPath: path) else { return .missing }
            // Refused before reading when its size says so; BoundedFile enforces the limit
            // while reading as well.
            var info = stat()
            let size = stat(path, &info) == 0 ? Int(info.st_size) : 0
            guard size <= Self.sizeLimit else { return .unusable(reason: "larger than \(Self.sizeLimit) bytes") }
            bytes = Data(try BoundedFile.read(path, limit: Self.sizeLimit))
        } catch {
            // "cannot open <path>: <reason>" (CollectorError's words).
            return .unusable(reason: "\(error)")
        }
        return Self.decode(bytes)
    }

    /// Pure: bytes to state, or why not.
    public static func decode(_ bytes: Data) -> LoadResult {
        struct VersionOnly: Decodable { let version: Int }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let version = try? decoder.decode(VersionOnly.self, from: bytes).version else {
            return .unusable(reason: "not a watchdog state file (no version)")
        }
        guard version <= PersistedState.currentVersion else {
            return .unusable(
                reason:
                    "written by a newer watchdog (format \(version), this one reads \(PersistedState.currentVersion))")
        }
        do {
            return .loaded(try decoder.decode(PersistedState.self, from: bytes))
        } catch {
            return .unusable(reason: "corrupt: \(error)")
        }
    }

    /// Keys are written as they are named in the code: no key strategy, because key
    /// strategies also rewrite dictionary keys such as `disk_full:/data`.
    public static func encode(_ state: PersistedState) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(state)
    }

    /// Where a start records that it is applying this file; removed once its first
    /// tick is saved. Holds the number of starts in a row that got no further.
    var startMarkerPath: String { "\(path).starting" }

    /// Starts in a row that died before their first tick was saved.
    func unfinishedStarts() -> Int {
        guard let text = try? String(contentsOfFile: startMarkerPath, encoding: .utf8) else { return 0 }
        return Int(text.trimmingWhitespaceAndNewlines()) ?? 0
    }

    func recordStart(unfinishedBefore: Int) {
        try? Data("\(unfinishedBefore + 1)\n".utf8).write(to: URL(fileURLWithPath: startMarkerPath))
    }

    func clearStartMarker() {
        unlink(startMarkerPath)
    }

    /// Moves an unusable file aside as `<name>.corrupt-<time>` so it can be inspected
    /// and the watchdog can start fresh. Returns the new path.
    public func moveAside(now: Date) throws -> String {
        let stamp = now.formatted(.iso8601).replacing(":", with: "")
        let target = "\(path).corrupt-\(stamp)"
        guard rename(path, target) == 0 else {
            throw StateFileError("cannot move \(path) aside: \(String(cString: strerror(errno)))")
        }
        return target
    }

    /// Writes `bytes` so that the file is always either the old or the new content:
    /// a temporary file in the same directory, fsync, rename over, fsync the directory.
    public func write(_ bytes: Data) throws {
        let temporary = "\(path).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StateFileError("cannot create \(temporary): \(errnoText())") }
        let failure =
            Self.writeAll(bytes, to: descriptor, naming: temporary)
            ?? (fsync(descriptor) == 0 ? nil : "cannot fsync \(temporary): \(errnoText())")
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw StateFileError(failure)
        }
        guard rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw StateFileError("cannot replace \(path): \(reason)")
        }
        let directoryDescriptor = open(Self.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private func errnoText() -> String { String(cString: strerror(errno)) }

    /// Writes all of `bytes` to `descriptor` (retrying short writes and `EINTR`); nil, or
    /// why not, naming the file as `path`.
    static func writeAll(_ bytes: Data, to descriptor: Int32, naming path: String) -> String? {
        var written = 0
        return bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return "cannot write \(path): \(String(cString: strerror(errno)))"
                }
                written += result
            }
            return nil
        }
    }

    /// The directory holding `path`, whose entry the rename changed: `.` for a bare
    /// name, `/` for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

public struct StateFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
