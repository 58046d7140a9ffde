import Foundation
import Glibc
import Synchronization

/// A real, idle process whose command line carries a marker: `/bin/sleep` run through a
/// symlink named after the marker, so it is one process (no shell with a child that
/// would outlive it), started with `posix_spawn` and its output on /dev/null (it shares
/// no pipe with the test runner). `stop()` kills and reaps it, so it does not linger as
/// a zombie in the process table.
public final class MarkedProcess: Sendable {
    public let pid: Int32
    public let executable: String
    private let reaped = Mutex(false)

    public init(_ marker: String, in directory: TemporaryDirectory) throws {
        executable = directory.path + "/" + marker
        try FileManager.default.createSymbolicLink(atPath: executable, withDestinationPath: "/bin/sleep")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in Int32(0)...2 {
            posix_spawn_file_actions_addopen(
                &actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var pid: pid_t = 0
        let arguments = [executable, "600"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let status = posix_spawn(&pid, executable, &actions, nil, &argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        self.pid = pid
    }

    /// Once only: after the reap the pid may belong to somebody else.
    public func stop() {
        reaped.withLock { reaped in
            guard !reaped else { return }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            reaped = true
        }
    }

    deinit { stop() }
}
