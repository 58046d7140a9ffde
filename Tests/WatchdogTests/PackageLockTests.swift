import Foundation
import Synchronization
import TestSupport
import Testing

/// The test command installs what it misses with apt, and another apt or dpkg may hold
/// the package locks then (unattended upgrades, a second terminal): `scripts/packages.sh`
/// waits for it, saying who it is, instead of failing at once as apt-get update does.
/// Here a process holds dpkg's real lock the way apt does (a POSIX lock on
/// /var/lib/dpkg/lock-frontend) until the test has seen the installer wait for it.
@Suite(.serialized, .enabled(if: geteuid() == 0 && FileManager.default.fileExists(atPath: "/var/lib/dpkg")))
struct PackageLockTests {
    static let packageRoot = ReadmeTests.packageRoot.path

    /// A python3 that takes the lock, says so, and holds it until `release()`.
    final class LockHolder: Sendable {
        let process = Process()
        let said = Mutex("")
        private let input = Pipe()

        init(_ lock: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [
                "-c",
                "import fcntl, sys; f = open('\(lock)', 'a'); fcntl.lockf(f, fcntl.LOCK_EX); "
                    + "print('held', flush=True); sys.stdin.read()",
            ]
            let out = Pipe()
            process.standardInput = input
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            out.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let chunk = String(decoding: handle.availableData, as: UTF8.self)
                self?.said.withLock { $0 += chunk }
            }
            try process.run()
        }

        var holds: Bool { said.withLock { $0.contains("held") } }

        /// Its stdin ends: it exits, and the lock goes with it.
        func release() {
            try? input.fileHandleForWriting.close()
        }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    @Test func theInstallerWaitsForAnotherPackageManagersLockAndSaysWhoHoldsIt() async throws {
        let holder = try LockHolder("/var/lib/dpkg/lock-frontend")
        defer { holder.stop() }
        #expect(await eventually(timeout: .seconds(20)) { holder.holds })
        let folder = try TemporaryDirectory()
        let seen = folder.path + "/said"
        // The installer's wait, in a task of its own; what it says goes to a file too, and
        // the lock is given up only once it said it waits.
        let waiter = Task {
            try await RealDocker.shell(
                [
                    "/bin/bash", "-c",
                    "set -euo pipefail; . scripts/packages.sh; exec 3>&2 2> >(tee -a \"$0\" >&3); tee=$!; wait_for_package_locks; exec 2>&3; wait $tee",
                    seen,
                ],
                environment: ["PATH": "/usr/bin:/bin"], directory: Self.packageRoot)
        }
        let pid = holder.process.processIdentifier
        #expect(
            await eventually(timeout: .seconds(60)) {
                (try? String(contentsOfFile: seen, encoding: .utf8))?.contains("waiting for it") == true
            })
        holder.release()
        let waited = try await waiter.value
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(
            waited.stderr.contains("another package manager (python3, pid \(pid)) holds the package lock"),
            "\(waited.stderr)")
        #expect(waited.stderr.contains("the package lock is free after"))
    }

    @Test func aFreeLockIsNotWaitedFor() async throws {
        let checked = try await RealDocker.shell(
            [
                "/bin/bash", "-c",
                "set -euo pipefail; . scripts/packages.sh; package_lock_holder; wait_for_package_locks",
            ],
            environment: ["PATH": "/usr/bin:/bin"], directory: Self.packageRoot)
        #expect(checked.status == 0 && checked.stdout.isEmpty && checked.stderr.isEmpty, "\(checked.stderr)")
    }
}
