import Foundation

/// A real `dockerd` (Debian's docker.io) on a private unix socket, with the networking
/// and storage options that work without privileges beyond root in a sandbox, and the
/// test image made from busybox-static with `docker import` (no registry is reachable).
public final class RealDocker: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public static let image = "watchdog-busybox:test"
    /// Set by scripts/test.sh: a missing daemon is then a failure, never a silent skip.
    public static let required = ProcessInfo.processInfo.environment["WATCHDOG_TEST_REQUIRE_PEERS"] == "1"
    public static let available: Bool =
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/dockerd")
        && FileManager.default.isExecutableFile(atPath: "/bin/busybox") && geteuid() == 0

    public let root: String
    public var socket: String { root + "/docker.sock" }
    private let daemon: ProcessBox
    private let extraArguments: [String]

    private init(root: String, daemon: ProcessBox, extraArguments: [String]) {
        self.root = root
        self.daemon = daemon
        self.extraArguments = extraArguments
    }

    /// Starts a daemon of its own (short path: unix socket paths are limited to 107 bytes)
    /// and imports the test image into it.
    /// `extraArguments` go to dockerd (a fixed `--default-address-pool`, say).
    public static func start(extraArguments: [String] = []) async throws -> RealDocker {
        guard available else {
            throw Failure(description: "dockerd, busybox-static or root missing (scripts/test.sh installs them)")
        }
        let root = "/tmp/wdd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/exec", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/tmp", withIntermediateDirectories: true)
        let docker = RealDocker(root: root, daemon: ProcessBox(), extraArguments: extraArguments)
        do {
            try await docker.startDaemon()
            try await docker.importImage()
        } catch {
            await docker.shutdown()
            throw error
        }
        return docker
    }

    /// Runs `body` with a daemon started as `start` does, and shuts it down (containers,
    /// daemon, files) before returning, whether `body` threw or not.
    public static func with<Value>(
        extraArguments: [String] = [], _ body: (RealDocker) async throws -> Value
    ) async throws -> Value {
        let docker = try await start(extraArguments: extraArguments)
        do {
            let value = try await body(docker)
            await docker.shutdown()
            return value
        } catch {
            await docker.shutdown()
            throw error
        }
    }

    /// (Re)starts the daemon on the same socket and data: containers survive.
    public func startDaemon() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/dockerd")
        process.arguments =
            [
                "--host", "unix://\(socket)", "--data-root", root + "/data", "--exec-root", root + "/exec",
                "--pidfile", root + "/docker.pid", "--iptables=false", "--ip6tables=false", "--bridge=none",
                "--storage-driver=vfs",
            ] + extraArguments
        _ = FileManager.default.createFile(atPath: root + "/dockerd.log", contents: nil)
        let log = FileHandle(forWritingAtPath: root + "/dockerd.log") ?? .nullDevice
        process.standardOutput = log
        process.standardError = log
        // The daemon's temporary files stay in its own folder, removed with it. When a
        // loaded machine makes containerd miss dockerd's health checks, dockerd has it
        // dump its stacks (to TMPDIR, `containerd.<pid>.stacks.log`) and restarts it.
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = root + "/tmp"
        process.environment = environment
        try process.run()
        daemon.set(process)
        recordForCleanup(pid: process.processIdentifier)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if (try? await run(["version"]))?.status == 0 { return }
            guard process.isRunning else { throw Failure(description: "dockerd exited; see \(root)/dockerd.log") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "dockerd not ready within 60 s; see \(root)/dockerd.log")
    }

    /// Stops the daemon (SIGTERM, then waits): the socket goes away.
    public func stopDaemon() async {
        guard let process = daemon.get(), process.isRunning else { return }
        process.terminate()
        // A daemon with --live-restore leaves containerd's shims running, and they hold the
        // descriptor Foundation watches for the exit: it exited when it is a zombie.
        while process.isRunning, !Self.isZombie(process.processIdentifier) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if let directory = Self.cleanupDirectory {
            try? FileManager.default.removeItem(atPath: "\(directory)/dockerd-\(process.processIdentifier)")
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: end)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// scripts/test.sh's folder for this run (`WATCHDOG_TEST_RUN_DIR`): each daemon is
    /// listed there by pid, with its root, so that should the tests crash, the script
    /// stops exactly this run's daemons and no other run's.
    static let cleanupDirectory = ProcessInfo.processInfo.environment["WATCHDOG_TEST_RUN_DIR"]

    private func recordForCleanup(pid: Int32) {
        guard let directory = Self.cleanupDirectory else { return }
        _ = FileManager.default.createFile(atPath: "\(directory)/dockerd-\(pid)", contents: Data(root.utf8))
    }

    /// Removes every container, stops the daemon, and deletes its files.
    public func shutdown() async {
        if let ids = try? await run(["ps", "-aq"]).stdout.split(separator: "\n"), !ids.isEmpty {
            _ = try? await run(["rm", "-f"] + ids.map(String.init))
        }
        await stopDaemon()
        let dumps = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/tmp")) ?? [])
            .filter { $0.hasSuffix(".stacks.log") }
        if !dumps.isEmpty {
            print(
                "dockerd restarted containerd during the test (it missed health checks): \(dumps.joined(separator: ", "))"
            )
        }
        Self.unmountDataRoot(root + "/data")
        try? FileManager.default.removeItem(atPath: root)
    }

    /// dockerd bind-mounts its data root onto itself and undoes that on a clean exit; a
    /// daemon that was killed leaves the mount, and with it a folder nothing can remove.
    static func unmountDataRoot(_ path: String) {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
            mounts.split(separator: "\n").contains(where: { $0.split(separator: " ").dropFirst(4).first == path[...] })
        else { return }
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = ["--lazy", path]
        umount.standardOutput = FileHandle.nullDevice
        umount.standardError = FileHandle.nullDevice
        guard (try? umount.run()) != nil else { return }
        umount.waitUntilExit()
    }

    private func importImage() async throws {
        let rootfs = root + "/rootfs"
        for directory in ["bin", "tmp", "proc", "etc", "dev", "sys"] {
            try FileManager.default.createDirectory(atPath: "\(rootfs)/\(directory)", withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
        for tool in ["sh", "sleep", "true", "false", "cat", "echo", "dd", "head", "kill", "exit", "test", "tail"] {
            try? FileManager.default.createSymbolicLink(atPath: "\(rootfs)/bin/\(tool)", withDestinationPath: "busybox")
        }
        let tar = try await Self.shell(["/bin/tar", "-C", rootfs, "-cf", root + "/rootfs.tar", "."])
        guard tar.status == 0 else { throw Failure(description: "tar failed: \(tar.stderr)") }
        let imported = try await run(["import", root + "/rootfs.tar", Self.image])
        guard imported.status == 0 else { throw Failure(description: "docker import failed: \(imported.stderr)") }
    }

    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs the docker client against this daemon.
    @discardableResult
    public func run(_ arguments: [String]) async throws -> Output {
        let client =
            FileManager.default.isExecutableFile(atPath: "/usr/bin/docker")
            ? "/usr/bin/docker" : "/usr/local/bin/docker"
        return try await Self.shell([client, "-H", "unix://\(socket)"] + arguments)
    }

    /// Runs a container from the test image; returns its name.
    @discardableResult
    public func container(_ name: String, _ options: [String] = [], command: [String]) async throws -> String {
        let result = try await run(["run", "-d", "--name", name] + options + [Self.image] + command)
        guard result.status == 0 else { throw Failure(description: "docker run \(name) failed: \(result.stderr)") }
        return name
    }

    /// Runs any command with `DOCKER_HOST` set to this daemon (docker-compose, say).
    @discardableResult
    public func command(_ command: [String], directory: String? = nil) async throws -> Output {
        try await Self.shell(
            command, environment: ["DOCKER_HOST": "unix://\(socket)", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"],
            directory: directory)
    }

    /// Runs any program. Waits for it without blocking a thread of Swift's cooperative pool,
    /// which the in-process stand-in servers of other tests need.
    public static func shell(_ command: [String], environment: [String: String]? = nil, directory: String? = nil)
        async throws -> Output
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let collected = Collected()
        out.fileHandleForReading.readabilityHandler = { collected.append(out: $0.availableData) }
        err.fileHandleForReading.readabilityHandler = { collected.append(err: $0.availableData) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume()
            }
        }
        guard process.processIdentifier != 0 else { throw Failure(description: "cannot run \(command[0])") }
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        collected.append(out: out.fileHandleForReading.readDataToEndOfFile())
        collected.append(err: err.fileHandleForReading.readDataToEndOfFile())
        let (stdout, stderr) = collected.both
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data()
        private var err = Data()
        func append(out chunk: Data) { lock.withLock { out.append(chunk) } }
        func append(err chunk: Data) { lock.withLock { err.append(chunk) } }
        var both: (Data, Data) { lock.withLock { (out, err) } }
    }

    private final class ProcessBox: @unchecked Sendable {
        private let lock = NSLock()
        private var process: Process?
        func set(_ process: Process) { lock.withLock { self.process = process } }
        func get() -> Process? { lock.withLock { process } }
    }
}
