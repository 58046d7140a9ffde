import Foundation

/// A temporary directory for one test, removed with everything in it when its owner lets
/// go of it (a class, so the removal happens exactly once, at the end of the scope that
/// made it, or of the object that holds it). scripts/test.sh checks at its end that the
/// temp directory holds nothing new named `watchdog-*`.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("watchdog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit {
        Self.remove(path)
    }

    /// Removes `path` and what it holds; a test may have left a folder read-only, so a
    /// first refusal makes every folder in it writable and tries again.
    public static func remove(_ path: String) {
        let files = FileManager.default
        guard (try? files.removeItem(atPath: path)) == nil else { return }
        guard files.fileExists(atPath: path) else { return }
        chmod(path, 0o700)
        if let walker = files.enumerator(atPath: path) {
            for case let name as String in walker {
                var isDirectory: ObjCBool = false
                if files.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue {
                    chmod(path + "/" + name, 0o700)
                }
            }
        }
        try? files.removeItem(atPath: path)
    }
}
