import Foundation
import Synchronization

extension Process {
    /// Runs the process with its standard output (and, with `mergingErrors`, its standard
    /// error) collected, waiting at most `timeout` seconds (then it is stopped and this
    /// throws, naming `what`). Returns its exit status and what it wrote.
    /// Without `mergingErrors`, standard error goes to `errorFile` (or nowhere).
    public func runCollectingOutput(
        timeout: TimeInterval, mergingErrors: Bool, errorFile: String? = nil, what: String
    ) async throws -> (status: Int32, output: Data) {
        let output = Pipe()
        standardOutput = output
        if mergingErrors {
            standardError = output
        } else if let errorFile, FileManager.default.createFile(atPath: errorFile, contents: nil),
            let handle = FileHandle(forWritingAtPath: errorFile)
        {
            standardError = handle
        } else {
            standardError = FileHandle.nullDevice
        }
        standardInput = FileHandle.nullDevice
        let collected = Mutex(Data())
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            collected.withLock { $0.append(chunk) }
        }
        try run()
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            guard Date() < deadline else {
                stopFirmly()
                output.fileHandleForReading.readabilityHandler = nil
                throw CollectedRunTimeout(description: "\(what) hangs")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        // What it wrote last may still be on its way through the pipe: wait until nothing
        // more arrives for 100 ms (not for the end of the pipe, which a child it left
        // behind may hold open).
        var size = -1
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(50))
            let now = collected.withLock { $0.count }
            if now == size { break }
            size = now
        }
        output.fileHandleForReading.readabilityHandler = nil
        return (terminationStatus, collected.withLock { $0 })
    }
}

public struct CollectedRunTimeout: Error, CustomStringConvertible {
    public let description: String
}
