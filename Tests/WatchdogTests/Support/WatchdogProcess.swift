import Foundation
import Synchronization
import TestSupport

/// Runs the built `watchdog` binary with a clean environment and collects its output.
final class WatchdogProcess: Sendable {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    /// `.build/<config>/watchdog`, next to the test bundle; `WATCHDOG_BINARY` overrides.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["WATCHDOG_BINARY"] { return path }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the tests run from `.build/<config>/<name>.xctest`; on macOS from inside a bundle.
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("watchdog").path),
            directory.path != "/"
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("watchdog").path
    }

    private let process: Process
    private let stdoutData = Mutex(Data())
    private let stderrData = Mutex(Data())
    /// The read ends of its stdout and stderr.
    private let outputs: (stdout: FileHandle, stderr: FileHandle)
    /// The empty working directory made for it when the test gave none, and the folders
    /// the test asked it to keep (its state file's): removed when it is let go of.
    private let kept: [TemporaryDirectory]

    private init(process: Process, kept: [TemporaryDirectory], outputs: (stdout: FileHandle, stderr: FileHandle)) {
        self.process = process
        self.kept = kept
        self.outputs = outputs
    }

    /// What was left in the pipes once the process ended.
    final class Leftover: Sendable {
        let value = Mutex<(Data, Data)?>(nil)
    }

    /// Starts the binary with only `environment` (plus PATH), from `workingDirectory` or
    /// else an empty directory, so no stray `.env` or state file is picked up.
    /// `keeping` lives as long as the process object does (a folder only the process
    /// uses).
    static func start(
        _ arguments: [String], environment: [String: String], workingDirectory: String? = nil,
        keeping: TemporaryDirectory? = nil
    ) throws -> WatchdogProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = environment
        environment["PATH"] = "/usr/bin:/bin"
        environment["WATCHDOG_STATE_FILE"] = environment["WATCHDOG_STATE_FILE"] ?? ""
        environment["WATCHDOG_LISTEN"] = environment["WATCHDOG_LISTEN"] ?? "off"
        process.environment = environment
        let scratch = workingDirectory == nil ? try TemporaryDirectory() : nil
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory ?? scratch?.path ?? "/")
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let running = WatchdogProcess(
            process: process, kept: [scratch, keeping].compactMap { $0 },
            outputs: (out.fileHandleForReading, err.fileHandleForReading))
        // Weakly: the pipes hold their handlers, and a handler holding the process object
        // would keep it, and its folders, alive for ever.
        out.fileHandleForReading.readabilityHandler = { [weak running] handle in
            let chunk = handle.availableData
            running?.stdoutData.withLock { $0.append(chunk) }
        }
        err.fileHandleForReading.readabilityHandler = { [weak running] handle in
            let chunk = handle.availableData
            running?.stderrData.withLock { $0.append(chunk) }
        }
        try process.run()
        return running
    }

    static func run(
        _ arguments: [String], environment: [String: String], workingDirectory: String? = nil,
        timeout: TimeInterval = 30
    ) async throws -> Result {
        try await start(arguments, environment: environment, workingDirectory: workingDirectory).wait(
            timeout: timeout)
    }

    var stderr: String { stderrData.withLock { String(decoding: $0, as: UTF8.self) } }

    func terminate() {
        process.terminate()
    }

    /// Sends `number` (SIGHUP, ...) to the process.
    func signal(_ number: Int32) {
        Glibc.kill(process.processIdentifier, number)
    }

    var isRunning: Bool { process.isRunning }

    var stdout: String { stdoutData.withLock { String(decoding: $0, as: UTF8.self) } }

    /// SIGKILL: no handler runs, nothing is flushed.
    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
    }

    /// Polls the collected stderr until `text` appeared `occurrences` times.
    ///
    /// Waits with `Task.sleep`, never blocking a thread: the stand-in servers of the same
    /// test answer on Swift's cooperative pool, which a blocked thread would starve.
    func waitForStderr(occurrences: Int, of text: String, timeout: TimeInterval) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while stderr.components(separatedBy: text).count - 1 < occurrences {
            guard Date() < deadline, process.isRunning else {
                process.terminate()
                throw Timeout(description: "waiting for \(occurrences)× \"\(text)\"; stderr:\n\(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func wait(timeout: TimeInterval) async throws -> Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                Glibc.kill(process.processIdentifier, SIGKILL)
                throw Timeout(description: "still running after \(timeout) s; stderr:\n\(stderr)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        // Read the pipes to their end: a large output (a `once --json` of thousands of
        // keys) is still in them when the process has exited, and a fixed pause missed
        // its tail under load. The handlers stop first (one running finishes), then the
        // rest is read on a thread of its own (it blocks until the end), bounded in case
        // a child of the process holds a pipe open.
        outputs.stdout.readabilityHandler = nil
        outputs.stderr.readabilityHandler = nil
        try await Task.sleep(for: .milliseconds(50))
        let outputs = outputs
        let rest = Leftover()
        Task.detached {
            let read = (outputs.stdout.readDataToEndOfFile(), outputs.stderr.readDataToEndOfFile())
            rest.value.withLock { $0 = read }
        }
        let drained = Date().addingTimeInterval(10)
        while rest.value.withLock({ $0 == nil }), Date() < drained {
            try await Task.sleep(for: .milliseconds(10))
        }
        if let (out, err) = rest.value.withLock({ $0 }) {
            stdoutData.withLock { $0.append(out) }
            stderrData.withLock { $0.append(err) }
        }
        // A handler that had read its chunk before it was let go may append it only now,
        // under load after the pause above: wait until nothing has arrived for a while.
        var sizes = (stdoutData.withLock(\.count), stderrData.withLock(\.count))
        var quiet = 0
        let settled = Date().addingTimeInterval(3)
        while quiet < 5, Date() < settled {
            try await Task.sleep(for: .milliseconds(20))
            let now = (stdoutData.withLock(\.count), stderrData.withLock(\.count))
            quiet = now == sizes ? quiet + 1 : 0
            sizes = now
        }
        return Result(
            status: process.terminationStatus,
            stdout: stdoutData.withLock { String(decoding: $0, as: UTF8.self) },
            stderr: stderr)
    }

    /// Opens a FIFO for writing without blocking and closes it, releasing any reader
    /// stuck in `open`.
    static func unblockFIFO(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_NONBLOCK)
        if descriptor >= 0 { close(descriptor) }
    }
}
