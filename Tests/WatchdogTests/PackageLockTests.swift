import Foundation
import Synchronization
import TestSupport
import Testing

/// The test command installs what it misses with apt, and another apt or dpkg may hold
/// the package locks then (unattended upgrades, a second terminal): `scripts/packages.sh`
/// waits for it, saying who it is, instead of failing at once as apt-get update does.
/// Here a process holds dpkg's real lock the way apt does (a POSIX lock on
/// /var/lib/dpkg/lock-frontend) for a few seconds.
@Suite(.serialized, .enabled(if: geteuid() == 0 && FileManager.default.fileExists(atPath: "/var/lib/dpkg")))
struct PackageLockTests {
    static let packageRoot = ReadmeTests.packageRoot.path

    /// A python3 that takes the lock, says so, holds it `seconds`, and exits.
    final class LockHolder: Sendable {
        let process = Process()
        let said = Mutex("")

        init(_ lock: String, seconds: Int) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [
                "-c",
                "import fcntl, time; f = open('\(lock)', 'a'); fcntl.lockf(f, fcntl.LOCK_EX); "
                    + "print('held', flush=True); time.sleep(\(seconds))",
            ]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            out.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let chunk = String(decoding: handle.availableData, as: UTF8.self)
                self?.said.withLock { $0 += chunk }
            }
            try process.run()
        }

        var holds: Bool { said.withLock { $0.contains("held") } }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    @Test func theInstallerWaitsForAnotherPackageManagersLockAndSaysWhoHoldsIt() async throws {
        let holder = try LockHolder("/var/lib/dpkg/lock-frontend", seconds: 4)
        defer { holder.stop() }
        #expect(await eventually(timeout: .seconds(20)) { holder.holds })
        let waited = try await RealDocker.shell(
            [
                "/bin/bash", "-c",
                "set -euo pipefail; . scripts/packages.sh; package_lock_holder; wait_for_package_locks",
            ],
            environment: ["PATH": "/usr/bin:/bin"], directory: Self.packageRoot)
        // The lock was held when it began; it named the holder, and returned once the
        // lock was free.
        #expect(waited.status == 0, "\(waited.stderr)")
        let pid = holder.process.processIdentifier
        #expect(waited.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(pid)")
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
